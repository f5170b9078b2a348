// PVE's wire spellings turned into values, one field kind at a time: the conversions the compiled record
// checker (record.ts) applies to each field, kept apart so that file holds only the checker itself.
import type { Field } from "./record.js";

const TRUE = new Set<unknown>([1, true, "1", "on", "yes", "true"]);
// "" is how Perl prints false; PVE lets it through in a few list answers.
const FALSE = new Set<unknown>([0, false, "0", "off", "no", "false", ""]);
const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** PVE's boolean spellings (0/1, on/off, yes/no, true/false) to a boolean; undefined when none. */
export function toBool(v: unknown): boolean | undefined {
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** A number, or a string holding one, to a number; undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && NUMERIC.test(v)) return Number(v);
  return undefined;
}

export function splitList(v: string): string[] {
  return v.split(/[,;\s]+/).filter((s) => s !== "");
}

/** What `convert` answers for a value its field cannot take. */
export const INVALID = Symbol("invalid");

/** Every item as a number, in place, or INVALID. */
function toNumbers(v: unknown[]): number[] | typeof INVALID {
  for (let i = 0; i < v.length; i++) {
    const n = toNumber(v[i]);
    if (n === undefined) return INVALID;
    v[i] = n;
  }
  return v as number[];
}

/** A string, or a number written as one (PVE's Perl sends either for the same key). */
function toText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  return typeof v === "number" ? String(v) : undefined;
}

/** The normalised value, or INVALID. Nested kinds (`object`, `map`) are run by the record parser itself. */
export function convert(f: Field<unknown, boolean>, v: unknown): unknown {
  switch (f.kind) {
    case "string":
      if (typeof v === "string") return f.values && !f.values.has(v) ? INVALID : v;
      return typeof v === "number" && !f.values ? String(v) : INVALID;
    case "number":
      return toNumber(v) ?? INVALID;
    case "boolean":
      return toBool(v) ?? INVALID;
    case "list":
      if (typeof v === "string") return splitList(v);
      return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : INVALID;
    case "numbers":
      return Array.isArray(v) ? toNumbers(v) : INVALID;
    case "from": {
      const s = toText(v);
      return (s === undefined ? undefined : f.from?.(s)) ?? INVALID;
    }
    case "object":
    case "map":
    case "unknown":
      return v;
  }
}

export function describeProblem(f: Field<unknown, boolean>, v: unknown): string {
  if (f.values && typeof v === "string") return `expected one of ${[...f.values].join("|")}`;
  if (f.kind === "numbers") return `expected an array of numbers, got ${JSON.stringify(v)}`;
  if (f.kind === "from") return `expected a string, got ${JSON.stringify(v) ?? typeof v}`;
  return `expected ${f.kind}, got ${JSON.stringify(v) ?? typeof v}`;
}
