// A small compiled checker for PVE records (list items, statuses, nested objects such as the node status),
// normalising PVE's wire quirks in one in-place pass: numbers sent as strings, 0/1 and on/off booleans, null
// for absent. Lists such as /cluster/resources can hold 10,000 items and the node status is read every few
// seconds; per-field zod transforms cost several times JSON.parse there.
import type { ShapeIssue } from "../errors.js";

type Kind = "string" | "number" | "boolean" | "list" | "numbers" | "object" | "unknown";

/** One field of a record spec. `T` is the output type; `O` whether the field may be absent. */
export interface Field<T, O extends boolean> {
  readonly kind: Kind;
  readonly optional: O;
  readonly values?: ReadonlySet<string>;
  /** For `object` fields: the nested record's parser. */
  readonly parse?: RecordParser<unknown>;
  /** Phantom member carrying the output type. */
  readonly _type?: T;
}

export type Spec = Readonly<Record<string, Field<unknown, boolean>>>;

type OptionalKeys<S extends Spec> = {
  [K in keyof S]: S[K] extends Field<unknown, true> ? K : never;
}[keyof S];
type RequiredKeys<S extends Spec> = Exclude<keyof S, OptionalKeys<S>>;
type Out<F> = F extends Field<infer T, boolean> ? T : never;

/** The output type of a spec: optional fields are `?:`, values normalised. */
export type Infer<S extends Spec> = { -readonly [K in RequiredKeys<S>]: Out<S[K]> } & {
  -readonly [K in OptionalKeys<S>]?: Out<S[K]>;
};

const field = <T, O extends boolean>(kind: Kind, optional: O, values?: readonly string[]) =>
  ({ kind, optional, ...(values ? { values: new Set(values) } : {}) }) as Field<T, O>;

function objectField<S extends Spec, O extends boolean>(spec: S, optional: O): Field<Infer<S>, O> {
  return { kind: "object", optional, parse: record(spec) };
}

/** Field constructors. `opt.*` may be absent or null. */
export const t = {
  string: field<string, false>("string", false),
  number: field<number, false>("number", false),
  boolean: field<boolean, false>("boolean", false),
  /** One of the given strings. */
  oneOf: <V extends string>(values: readonly V[]) => field<V, false>("string", false, values),
  /** A comma/semicolon/space separated string, split into its items. */
  list: field<string[], false>("list", false),
  /** An array of numbers (or of strings holding numbers), such as the load average. */
  numbers: field<number[], false>("numbers", false),
  /** A nested record with its own spec. */
  object: <S extends Spec>(spec: S) => objectField<S, false>(spec, false),
  unknown: field<unknown, false>("unknown", false),
  opt: {
    string: field<string, true>("string", true),
    number: field<number, true>("number", true),
    boolean: field<boolean, true>("boolean", true),
    oneOf: <V extends string>(values: readonly V[]) => field<V, true>("string", true, values),
    list: field<string[], true>("list", true),
    numbers: field<number[], true>("numbers", true),
    object: <S extends Spec>(spec: S) => objectField<S, true>(spec, true),
    unknown: field<unknown, true>("unknown", true),
  },
} as const;

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

const INVALID = Symbol("invalid");

/** Key positions a record parser remembers (PVE records have a few dozen keys; a hostile one is not cached). */
const MAX_REMEMBERED_KEYS = 64;

/** Every item as a number, in place, or INVALID. */
function toNumbers(v: unknown[]): number[] | typeof INVALID {
  for (let i = 0; i < v.length; i++) {
    const n = toNumber(v[i]);
    if (n === undefined) return INVALID;
    v[i] = n;
  }
  return v as number[];
}

/** The normalised value, or INVALID. */
function convert(f: Field<unknown, boolean>, v: unknown): unknown {
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
    case "object": // handled by the record parser itself (it needs the path)
    case "unknown":
      return v;
  }
}

function describeProblem(f: Field<unknown, boolean>, v: unknown): string {
  if (f.values && typeof v === "string") return `expected one of ${[...f.values].join("|")}`;
  if (f.kind === "numbers") return `expected an array of numbers, got ${JSON.stringify(v)}`;
  return `expected ${f.kind}, got ${JSON.stringify(v) ?? typeof v}`;
}

export type RecordParser<T> = (
  input: unknown,
  path: (string | number)[],
  issues: ShapeIssue[],
) => T | undefined;

/**
 * Compiles a spec into a parser that normalises known fields in place (the input is freshly parsed JSON
 * owned by the caller) and leaves unknown fields as they are. Absent and null optional fields are removed.
 */
export function record<S extends Spec>(spec: S): RecordParser<Infer<S>> {
  const fields = new Map<string, Field<unknown, boolean>>(Object.entries(spec));
  const required = Object.entries(spec)
    .filter(([, f]) => !f.optional)
    .map(([k]) => k);
  const orderKeys: string[] = [];
  const orderFields: (Field<unknown, boolean> | undefined)[] = [];
  return (input, path, issues) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      issues.push({
        path: [...path],
        message: `expected object, got ${input === null ? "null" : typeof input}`,
      });
      return undefined;
    }
    const obj = input as Record<string, unknown>;
    let ok = true;
    for (const key of required) {
      const v = obj[key];
      if (v === undefined || v === null) {
        issues.push({ path: [...path, key], message: "required" });
        ok = false;
      }
    }
    let i = 0;
    for (const key in obj) {
      // The items of one list mostly share their key order: the field found at this position last time is
      // reused when the key is the same string, which saves a map lookup per key.
      let f: Field<unknown, boolean> | undefined;
      if (orderKeys[i] === key) f = orderFields[i];
      else {
        f = fields.get(key);
        if (i < MAX_REMEMBERED_KEYS) {
          orderKeys[i] = key;
          orderFields[i] = f;
        }
      }
      i++;
      if (f === undefined) continue;
      const v = obj[key];
      // Fast path: the common, already well-typed value.
      if (
        f.kind === "number"
          ? typeof v === "number"
          : f.kind === "string" && typeof v === "string" && !f.values
      ) {
        continue;
      }
      if (v === null || v === undefined) {
        if (f.optional) delete obj[key];
        continue;
      }
      if (f.parse) {
        // The path is shared and restored: parsers copy it only when they report an issue.
        path.push(key);
        if (f.parse(v, path, issues) === undefined) ok = false;
        path.pop();
        continue;
      }
      const c = convert(f, v);
      if (c === INVALID) {
        issues.push({ path: [...path, key], message: describeProblem(f, v) });
        ok = false;
      } else obj[key] = c;
    }
    return ok ? (obj as Infer<S>) : undefined;
  };
}

/**
 * Parses an array of records. PVE answers an empty list with `[]`; `data: null` (a broken answer, e.g. from a
 * proxy) is a shape error, never an empty list: "no guests" must not be read from a failure.
 */
export function listOf<T>(item: RecordParser<T>): RecordParser<T[]> {
  return (input, path, issues) => {
    if (!Array.isArray(input)) {
      issues.push({
        path: [...path],
        message: `expected array, got ${input === null ? "null" : typeof input}`,
      });
      return undefined;
    }
    const out = new Array<T>(input.length);
    const before = issues.length;
    // One path array, updated per item: parsers copy it only when they report an issue.
    const itemPath: (string | number)[] = [...path, 0];
    const last = itemPath.length - 1;
    for (let i = 0; i < input.length; i++) {
      itemPath[last] = i;
      const v = item(input[i], itemPath, issues);
      if (v !== undefined) out[i] = v;
      if (issues.length - before > 20) break;
    }
    return issues.length === before ? out : undefined;
  };
}
