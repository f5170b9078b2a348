// Validates one request's merged parameters against an operation's schema and converts them to typed values.
import { checkObject, type Errors, type IndexedLookup } from "./check.js";
import type { JsonSchema } from "./types.js";

/** How many of each indexed option the real API defines (net0..net31 and so on); others default to 256. */
const INDEX_LIMITS: Record<string, number> = {
  net: 32,
  mp: 256,
  unused: 256,
  dev: 256,
  ide: 4,
  sata: 6,
  scsi: 31,
  virtio: 16,
  usb: 14,
  hostpci: 16,
  serial: 4,
  parallel: 3,
  numa: 8,
  ipconfig: 32,
  virtiofs: 10,
};

export type ParamValue = string | number | unknown[] | Record<string, unknown>;
export type Params = Record<string, ParamValue>;

export type ValidationResult = { ok: true; params: Params } | { ok: false; errors: Errors };

function indexedLookup(props: Record<string, JsonSchema>): IndexedLookup {
  return (key) => {
    const m = /^([a-z]+)(\d+)$/.exec(key);
    if (!m?.[1]) return undefined;
    const sub = props[`${m[1]}[n]`];
    if (!sub) return undefined;
    return Number(m[2]) < (INDEX_LIMITS[m[1]] ?? 256) && String(Number(m[2])) === m[2]
      ? sub
      : undefined;
  };
}

/** The schema of a property, resolving indexed keys. */
export function propertySchema(parameters: JsonSchema, key: string): JsonSchema | undefined {
  const props = parameters.properties ?? {};
  return props[key] ?? indexedLookup(props)(key);
}

function coerce(schema: JsonSchema | undefined, value: unknown): ParamValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Array.isArray(value)) return value as unknown[];
  if (value !== null && typeof value === "object") return value as Record<string, unknown>;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const numeric =
    schema?.type === "integer" || schema?.type === "number" || schema?.type === "boolean";
  return numeric ? Number(text) : text;
}

/** Validates like PVE::JSONSchema::validate with the method's parameter schema. */
export function validateParams(
  parameters: JsonSchema,
  input: Record<string, unknown>,
): ValidationResult {
  const props = parameters.properties ?? {};
  const errors: Errors = {};
  checkObject("", props, input, parameters.additionalProperties ?? 0, errors, indexedLookup(props));
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const params: Params = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    params[key] = coerce(propertySchema(parameters, key), value);
  }
  return { ok: true, params };
}
