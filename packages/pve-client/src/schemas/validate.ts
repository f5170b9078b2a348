// Runs a parser (a compiled record parser or a zod schema) over the `data` of an answer and turns any
// problem into one PveResponseShapeError naming the request.
import type { z } from "zod";
import { PveResponseShapeError, type ShapeIssue } from "../errors.js";
import type { PveRequest } from "../request.js";
import type { RecordParser } from "./record.js";

export function check<T>(parser: RecordParser<T>, data: unknown, req: PveRequest): T {
  const issues: ShapeIssue[] = [];
  const out = parser(data, [], issues);
  if (out === undefined || issues.length > 0) {
    throw new PveResponseShapeError(
      req.method,
      req.path,
      issues.length ? issues : [{ path: [], message: "invalid" }],
    );
  }
  return out;
}

export function checkZod<S extends z.ZodType>(
  schema: S,
  data: unknown,
  req: PveRequest,
): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw new PveResponseShapeError(
    req.method,
    req.path,
    r.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: i.message,
    })),
  );
}
