// PVE's JSONSchema check_prop / check_object / check_type, with its error texts, for request parameters.
import { checkNamedFormat } from "./formats.js";
import { compilePerlPattern } from "./perl-regex.js";
import {
  PropertyStringError,
  isPropertyStringError,
  splitPropertyString,
} from "./property-string.js";
import type { JsonSchema } from "./types.js";

export type Errors = Record<string, string>;

/** add_error: several messages on one path are joined with a literal backslash-n, as Perl's '\n' does. */
export function addError(errors: Errors, path: string, msg: string): void {
  const key = path || "_root";
  errors[key] = errors[key] === undefined ? msg : `${errors[key]}\\n${msg}`;
}

/** How Perl would see a decoded value: undefined for plain scalars, else its ref type. */
function perlRef(value: unknown): string | undefined {
  if (Array.isArray(value)) return "ARRAY";
  if (typeof value === "boolean") return "JSON::PP::Boolean";
  if (value !== null && typeof value === "object") return "HASH";
  return undefined;
}

/** A scalar's string form (numbers as JavaScript prints them, as Perl would for these inputs). */
const scalarText = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v);

export const isNumber = (v: string): boolean =>
  /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);
export const isInteger = (v: string): boolean => /^[+-]?\d+$/.test(v);

function checkType(
  path: string,
  type: string | undefined,
  value: unknown,
  errors: Errors,
): boolean {
  if (!type || type === "any") return true;
  if (type === "null") {
    addError(errors, path, `type check ('${type}') failed - value is not null`);
    return false;
  }
  const ref = perlRef(value);
  if (type === "array" || type === "object") {
    if (ref !== (type === "array" ? "ARRAY" : "HASH")) {
      addError(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (ref) {
    if (type === "boolean" && ref === "JSON::PP::Boolean") return true;
    addError(errors, path, `type check ('${type}') failed - got ${ref}`);
    return false;
  }
  const text = scalarText(value);
  const ok =
    type === "boolean"
      ? text === "1" || text === "0"
      : type === "integer"
        ? isInteger(text)
        : type === "number"
          ? isNumber(text)
          : true;
  if (!ok) addError(errors, path, `type check ('${type}') failed - got '${text}'`);
  return ok;
}

/** check_prop for one value; `value === undefined` means absent. */
export function checkProp(value: unknown, schema: JsonSchema, path: string, errors: Errors): void {
  if (schema.alias) return;
  if (value === undefined || value === null) {
    if (schema.type === "null") return;
    if (!schema.optional) addError(errors, path, "property is missing and it is not optional");
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((el, i) => checkProp(el, schema.items ?? {}, `${path}[${i}]`, errors));
    return;
  }
  if (typeof value === "object" || typeof value === "boolean") {
    if (typeof value === "object" && (schema.properties || schema.additionalProperties)) {
      checkObject(
        path,
        schema.properties ?? {},
        value as Record<string, unknown>,
        schema.additionalProperties,
        errors,
      );
    }
    return;
  }
  const text = scalarText(value);
  if (schema.format !== undefined) {
    const err = checkFormat(schema.format, text, path);
    if (err !== undefined) {
      addError(errors, path, `invalid format - ${err}`);
      return;
    }
  }
  if (schema.pattern !== undefined && !compilePerlPattern(schema.pattern).test(text)) {
    addError(errors, path, "value does not match the regex pattern");
    return;
  }
  if (schema.maxLength !== undefined && [...text].length > schema.maxLength) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && [...text].length < schema.minLength) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (isNumber(text)) {
    if (schema.maximum !== undefined && Number(text) > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(text) < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(text)) {
    addError(
      errors,
      path,
      `value '${text}' does not have a value in the enumeration '${schema.enum.join(", ")}'`,
    );
  }
}

/** check_format: a property-string sub-schema or a named format; returns the text after "invalid format - ". */
function checkFormat(
  format: string | Record<string, JsonSchema>,
  value: string,
  path: string,
): string | undefined {
  if (typeof format === "string") return checkNamedFormat(format, value);
  try {
    const parsed = splitPropertyString(format, value);
    const errors: Errors = {};
    checkObject(path, format, parsed, 0, errors);
    if (Object.keys(errors).length > 0) throw new PropertyStringError("format error\n", errors);
    return undefined;
  } catch (err) {
    if (isPropertyStringError(err)) return err.perlText();
    throw err;
  }
}

/** Resolves `net0` to the schema's merged `net[n]` key, honouring the real API's index limits. */
export type IndexedLookup = (key: string) => JsonSchema | undefined;

/** check_object: schema keys first (missing/invalid), then unknown keys and `requires`. */
export function checkObject(
  path: string,
  props: Record<string, JsonSchema>,
  value: Record<string, unknown>,
  additional: number | JsonSchema | undefined,
  errors: Errors,
  indexed?: IndexedLookup,
): void {
  const join = (k: string): string => (path ? `${path}.${k}` : k);
  for (const key of Object.keys(props)) {
    if (key.endsWith("[n]")) continue;
    checkProp(value[key], props[key] ?? {}, join(key), errors);
  }
  for (const key of Object.keys(value)) {
    const direct = props[key];
    const sub = direct ?? indexed?.(key);
    if (sub) {
      if (!direct) checkProp(value[key], sub, join(key), errors);
      if (sub.requires && value[sub.requires] === undefined)
        addError(errors, join(sub.requires), `missing property required by '${join(key)}'`);
      continue;
    }
    if (additional !== undefined && !additional) {
      addError(
        errors,
        join(key),
        "property is not defined in schema and the schema does not allow additional properties",
      );
    } else if (typeof additional === "object") {
      checkProp(value[key], additional, join(key), errors);
    }
  }
}
