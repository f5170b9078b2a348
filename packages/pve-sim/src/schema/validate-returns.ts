// Checks a response's `data` against an operation's `returns` schema, as a lower bound: declared properties must
// be present and well-typed; properties the schema does not declare are allowed (PVE's returns are incomplete).
import { checkNamedFormat } from "./formats.js";
import { compilePerlPattern } from "./perl-regex.js";
import type { JsonSchema } from "./types.js";

export interface ReturnProblem {
  path: string;
  problem: string;
}

function typeOk(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
    case "any":
      return true;
    case "null":
      return value === null;
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "string":
      return typeof value === "string";
    case "boolean":
      return value === 0 || value === 1 || typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      return true;
  }
}

function walk(value: unknown, schema: JsonSchema, path: string, out: ReturnProblem[]): void {
  if (value === null || value === undefined) {
    if (schema.type === "null" || schema.optional) return;
    out.push({ path, problem: "missing (the schema does not mark it optional)" });
    return;
  }
  if (!typeOk(schema.type, value)) {
    out.push({
      path,
      problem: `expected ${schema.type}, got ${JSON.stringify(value)?.slice(0, 60)}`,
    });
    return;
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((el, i) => walk(el, schema.items ?? {}, `${path}[${i}]`, out));
    return;
  }
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      walk(obj[key], sub, path ? `${path}.${key}` : key, out);
    }
    return;
  }
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (typeof schema.format === "string") {
    const err = checkNamedFormat(schema.format, text);
    if (err) out.push({ path, problem: `format ${schema.format}: ${err.trim()}` });
  }
  if (
    schema.pattern &&
    typeof value === "string" &&
    !compilePerlPattern(schema.pattern).test(text)
  ) {
    out.push({ path, problem: "does not match the pattern" });
  }
  if (schema.enum && !schema.enum.includes(text))
    out.push({ path, problem: `not in enum ${schema.enum.join("|")}` });
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < Number(schema.minimum))
      out.push({ path, problem: "below minimum" });
    if (schema.maximum !== undefined && value > Number(schema.maximum))
      out.push({ path, problem: "above maximum" });
  }
}

/** All problems of `data` against `returns` (empty when it validates). */
export function checkReturns(returns: JsonSchema, data: unknown): ReturnProblem[] {
  const out: ReturnProblem[] = [];
  walk(data, returns, "", out);
  return out;
}

/** Properties present in `data` objects that the schema does not declare (for documenting schema gaps). */
export function undeclaredProperties(returns: JsonSchema, data: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, schema: JsonSchema, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((el) => visit(el, schema.items ?? {}, `${path}[]`));
    } else if (value !== null && typeof value === "object" && schema.properties) {
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const sub = schema.properties[key];
        if (sub) visit(v, sub, path ? `${path}.${key}` : key);
        else found.add(path ? `${path}.${key}` : key);
      }
    }
  };
  visit(data, returns, "");
  return [...found].sort();
}
