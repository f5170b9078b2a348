// Runs a compiled record parser over the `data` of an answer and turns any problem into one
// PveResponseShapeError naming the request.
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
