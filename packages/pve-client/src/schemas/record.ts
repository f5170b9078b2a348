// THE way the client checks a PVE response: a small compiled checker for PVE records (list items, statuses,
// nested objects, maps with arbitrary keys, guest configs), normalising PVE's wire quirks in one in-place
// pass: numbers sent as strings, 0/1 and on/off booleans, null for absent. Why not zod, which the agent and
// the helper protocol use for their own (request-side, small) shapes: lists such as /cluster/resources can
// hold 10,000 items and the node status is read every few seconds. Measured on a 10,000-item list (2.9 MB):
// JSON.parse 11.1 ms; JSON.parse + zod 4 z.array(z.object(…)) with the same normalisation 61.5 ms (5.5x,
// plain z.number() fields 5.2x); JSON.parse + this parser 19.7 ms (1.8x).
import type { ShapeIssue } from "../errors.js";
import { convert, describeProblem, INVALID } from "./record-values.js";

type Kind =
  "string" | "number" | "boolean" | "list" | "numbers" | "from" | "object" | "map" | "unknown";

/** Keys of a record that are gathered into one map field (`net0`, `net3` → `net: { 0: …, 3: … }`). */
interface Collect {
  readonly pattern: RegExp;
  /** Map keys are the pattern's first group as a number (`net3` → 3); otherwise the whole key. */
  readonly indexed: boolean;
  readonly item: Field<unknown, boolean>;
}

/** One field of a record spec. `T` is the output type; `O` whether the field may be absent. */
export interface Field<T, O extends boolean> {
  readonly kind: Kind;
  readonly optional: O;
  readonly values?: ReadonlySet<string>;
  /** For `object` and `map` fields: the nested parser. */
  readonly parse?: RecordParser<unknown>;
  /** For `from` fields: the conversion of the string PVE sent (undefined: not convertible). */
  readonly from?: (s: string) => unknown;
  /** A value that cannot be converted drops the field instead of failing the record. */
  readonly lenient?: true;
  /** Not read from a key of its own: the map of every key matching a pattern. */
  readonly collect?: Collect;
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

const lenient = <T>(kind: Kind, from?: (s: string) => T | undefined) =>
  ({ kind, optional: true, lenient: true, ...(from ? { from } : {}) }) as Field<T, true>;

function objectField<S extends Spec, O extends boolean>(spec: S, optional: O): Field<Infer<S>, O> {
  return { kind: "object", optional, parse: record(spec) };
}

const collect = <T>(pattern: RegExp, indexed: boolean, item: Field<T, boolean>) =>
  ({ kind: "map", optional: false, collect: { pattern, indexed, item } }) as const;

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
  /** An object with arbitrary keys, each value checked by `item` (`/access/permissions`). */
  map: <T>(item: Field<T, boolean>): Field<Record<string, T>, false> => ({
    kind: "map",
    optional: false,
    parse: mapOf(item),
  }),
  /** Every key `<prefix><n>` (`net0`, `mp3`), gathered by index into one map, always present. */
  indexed: <T>(prefix: string, item: Field<T, boolean>) =>
    collect(new RegExp(`^${prefix}(\\d+)$`), true, item) as Field<Record<number, T>, false>,
  /** Every key matching `pattern` (QEMU disks: `scsi0`, `efidisk0`), gathered by key into one map. */
  keyed: <T>(pattern: RegExp, item: Field<T, boolean>) =>
    collect(pattern, false, item) as Field<Record<string, T>, false>,
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
  /**
   * Optional fields whose unconvertible value is dropped, not reported: guest configs and property strings
   * are read leniently (a config PVE accepted is never refused; `raw` keeps what was sent).
   */
  lenient: {
    string: lenient<string>("string"),
    number: lenient<number>("number"),
    boolean: lenient<boolean>("boolean"),
    list: lenient<string[]>("list"),
    /** A string (or a number, as a string) converted by `from`; undefined drops it. */
    from: <T>(from: (s: string) => T | undefined) => lenient<T>("from", from),
  },
} as const;

export type RecordParser<T> = (
  input: unknown,
  path: (string | number)[],
  issues: ShapeIssue[],
) => T | undefined;

export interface RecordOptions {
  /** Keys the spec does not name: kept as sent (the default), dropped, or each checked by one field. */
  readonly others?: "keep" | "drop" | Field<unknown, boolean>;
}

/** One parse's map for one collecting field. */
interface Gathered {
  readonly name: string;
  readonly collect: Collect;
  readonly map: Record<string | number, unknown>;
}
const NOTHING_GATHERED: readonly Gathered[] = [];

/** Key positions a record parser remembers (PVE records have a few dozen keys; a hostile one is not cached). */
const MAX_REMEMBERED_KEYS = 64;

/**
 * Compiles a spec into a parser that normalises known fields in place (the input is freshly parsed JSON
 * owned by the caller) and leaves unknown fields as they are (see `others`). A null optional field becomes
 * undefined (JSON.stringify leaves it out); a null key outside the spec, and a lenient field's unconvertible
 * value, are removed.
 */
export function record<S extends Spec>(
  spec: S,
  options: RecordOptions = {},
): RecordParser<Infer<S>> {
  const fields = new Map<string, Field<unknown, boolean>>();
  const collectors: [string, Collect][] = [];
  for (const [k, f] of Object.entries(spec)) {
    if (f.collect) collectors.push([k, f.collect]);
    else fields.set(k, f);
  }
  const required = [...fields].filter(([, f]) => !f.optional).map(([k]) => k);
  const others = options.others ?? "keep";
  // Unknown keys are skipped without a second look (the hot path: list items).
  const plain = others === "keep" && collectors.length === 0;
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
    const gathering = collectors.length
      ? collectors.map(([name, collect]) => ({ name, collect, map: {} }))
      : NOTHING_GATHERED;
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
      if (f === undefined) {
        if (plain) continue;
        const outcome = gather(gathering, key, obj[key], path, issues);
        if (outcome !== "no") {
          if (outcome === "invalid") ok = false;
          delete obj[key];
          continue;
        }
        if (others === "keep") continue;
        if (others === "drop") {
          delete obj[key];
          continue;
        }
        f = others;
      }
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
        // Set to undefined rather than deleted: a delete turns every item of a long list into a slow
        // dictionary-mode object (10,000 resources with two nulls each: 7.7x JSON.parse deleted, 1.07x so).
        // Keys outside the spec (maps, rrd samples) are still removed: there, a key is a value.
        if (f.optional) {
          if (f === others) delete obj[key];
          else obj[key] = undefined;
        } else if (f === others) {
          // Spec'd required keys were reported above; a map's values are checked here.
          issues.push({ path: [...path, key], message: "required" });
          ok = false;
        }
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
      if (c !== INVALID) obj[key] = c;
      else if (f.lenient) delete obj[key];
      else {
        issues.push({ path: [...path, key], message: describeProblem(f, v) });
        ok = false;
      }
    }
    for (const { name, map } of gathering) obj[name] = map;
    return ok ? (obj as Infer<S>) : undefined;
  };
}

/** Puts `key`'s value into the map of the first collector whose pattern it matches: "no" when none does. */
function gather(
  gathering: readonly Gathered[],
  key: string,
  v: unknown,
  path: (string | number)[],
  issues: ShapeIssue[],
): "no" | "yes" | "invalid" {
  for (const { collect, map } of gathering) {
    const { pattern, indexed, item } = collect;
    const m = pattern.exec(key);
    if (!m) continue;
    const value = v === null || v === undefined ? INVALID : convert(item, v);
    if (value !== INVALID) map[indexed ? Number(m[1]) : key] = value;
    else if (!item.lenient) {
      issues.push({ path: [...path, key], message: describeProblem(item, v) });
      return "invalid";
    }
    return "yes";
  }
  return "no";
}

/** An object with arbitrary keys, each value checked by `item` (e.g. a privilege → propagate flag map). */
export function mapOf<T>(item: Field<T, boolean>): RecordParser<Record<string, T>> {
  return record({}, { others: item });
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
