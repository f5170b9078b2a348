// Typed access to one subcommand's parsed arguments: each getter checks its value and throws a UsageError that
// names the operand or option (never echoing more than a short quoted excerpt of the bad value).
import { matches, VMID, type IntGrammar, type TextGrammar } from "@felhom/grammar";
import { UsageError, quote } from "../errors.js";
import { usageOf } from "./args.js";
import type { CommandShape, ParsedArgs } from "./args.js";

export class ArgReader {
  readonly #cmd: CommandShape;
  readonly #args: ParsedArgs;

  constructor(cmd: CommandShape, args: ParsedArgs) {
    this.#cmd = cmd;
    this.#args = args;
  }

  get json(): boolean {
    return this.#args.options.json === true;
  }

  /** Fails with this subcommand's usage attached. */
  fail(message: string): never {
    throw new UsageError(`${this.#cmd.name}: ${message}`, usageOf(this.#cmd));
  }

  /** The operand at `index` (as declared), or undefined when an optional one is absent. */
  operand(index: number): string | undefined {
    return this.#args.operands[index];
  }

  /** A required operand. */
  required(index: number): string {
    const v = this.#args.operands[index];
    if (v === undefined) this.fail(`missing ${this.#cmd.operands[index]?.name ?? "argument"}`);
    return v;
  }

  /** A guest id operand. */
  vmid(index: number): number {
    const raw = this.required(index);
    return this.#int(raw, this.#cmd.operands[index]?.name ?? "VMID", VMID.min, VMID.max);
  }

  /** A string option, checked against a grammar (or a pattern) when given. */
  string(name: string, pattern?: RegExp | TextGrammar, what?: string): string | undefined {
    const v = this.#args.options[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.fail(`--${name} needs a value`);
    if (pattern !== undefined && !accepts(pattern, v)) {
      this.fail(`--${name} ${quote(v)} is not ${what ?? whatOf(pattern)}`);
    }
    return v;
  }

  /** A required string option. */
  requiredString(name: string, pattern?: RegExp | TextGrammar, what?: string): string {
    const v = this.string(name, pattern, what);
    if (v === undefined) this.fail(`missing --${name}`);
    return v;
  }

  /** An integer option in [min, max], or within an integer grammar's bounds. */
  int(name: string, min: number | IntGrammar, max?: number): number | undefined {
    const v = this.string(name);
    const [lo, hi] = typeof min === "number" ? [min, max ?? min] : [min.min, min.max];
    return v === undefined ? undefined : this.#int(v, `--${name}`, lo, hi);
  }

  /** A number option in [min, max] (decimals allowed). */
  number(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = /^[0-9]+(?:\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      this.fail(`--${name} ${quote(v)} must be a number from ${min} to ${max}`);
    }
    return n;
  }

  /** One of a fixed set of words. */
  choice<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      this.fail(`--${name} ${quote(v)} must be one of ${values.join(", ")}`);
    }
    return v as T;
  }

  flag(name: string): boolean {
    return this.#args.options[name] === true;
  }

  has(name: string): boolean {
    return this.#args.options[name] !== undefined;
  }

  /** Checks an operand against a grammar (or a pattern). */
  matching(index: number, pattern: RegExp | TextGrammar, what?: string): string {
    const v = this.required(index);
    if (!accepts(pattern, v)) {
      const label = this.#cmd.operands[index]?.name ?? "argument";
      this.fail(`${label} ${quote(v)} is not ${what ?? whatOf(pattern)}`);
    }
    return v;
  }

  #int(raw: string, label: string, min: number, max: number): number {
    const n = /^[0-9]{1,12}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(`${label} ${quote(raw)} must be an integer from ${min} to ${max}`);
    }
    return n;
  }
}

function accepts(p: RegExp | TextGrammar, v: string): boolean {
  return "pattern" in p ? matches(p, v) : p.test(v);
}

function whatOf(p: RegExp | TextGrammar): string {
  return "pattern" in p ? p.what : "valid";
}
