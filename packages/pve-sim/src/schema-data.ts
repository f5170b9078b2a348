// Loads the extracted slice-1 schema (api-schema/slice1.json) shipped beside src/ and dist/, once per process.
import { readFileSync } from "node:fs";
import type { ExtractedSchema, OperationSchema } from "./schema/types.js";

let cached: ExtractedSchema | undefined;

/** The extracted schema; the file sits one level above this module in both src/ and dist/. */
export function loadSchema(): ExtractedSchema {
  cached ??= JSON.parse(
    readFileSync(new URL("../api-schema/slice1.json", import.meta.url), "utf8"),
  ) as ExtractedSchema;
  return cached;
}

/** Looks up one operation by method and templated path, e.g. ("GET", "/nodes/{node}/status"). */
export function findOperation(method: string, path: string): OperationSchema | undefined {
  return loadSchema().operations.find((op) => op.method === method && op.path === path);
}
