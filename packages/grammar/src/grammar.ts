// What a value grammar is: plain data (an anchored RegExp with length bounds, or integer bounds) that zod
// classic, zod/mini, the CLI's argument reader and hand-written checks can all wrap the same way.

/** A string value: anchored `pattern` and `minLength`..`maxLength` characters. */
export interface TextGrammar {
  /** The PVE schema format (or pattern) it follows, e.g. `pve-storage-id`. */
  readonly format: string;
  /** Anchored (`^…$`), no `g`/`y` flag, so `test` has no state. */
  readonly pattern: RegExp;
  readonly minLength: number;
  readonly maxLength: number;
  /** What it is, for messages: "a storage id". */
  readonly what: string;
}

/** A safe integer in `min`..`max`. */
export interface IntGrammar {
  readonly format: string;
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/** Declares a text grammar (frozen, so no importer can re-point it). */
export function text(g: TextGrammar): TextGrammar {
  return Object.freeze({ ...g });
}

export function int(g: IntGrammar): IntGrammar {
  return Object.freeze({ ...g });
}

/** True when `value` is a string the grammar accepts. */
export function matches(g: TextGrammar, value: unknown): value is string {
  return (
    typeof value === "string" &&
    value.length >= g.minLength &&
    value.length <= g.maxLength &&
    g.pattern.test(value)
  );
}

/** True when `value` is a safe integer within the grammar's bounds. */
export function inRange(g: IntGrammar, value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= g.min && (value as number) <= g.max;
}
