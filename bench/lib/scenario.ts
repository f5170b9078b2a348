// What every scenario is: an id, a title, and a run that measures and returns result rows plus the raw figures
// behind them (the tests check those for sanity).
import type { Row } from "./results.js";

export type Mode = "full" | "quick" | "smoke";

export interface ScenarioContext {
  mode: Mode;
  /** A private temporary directory, removed after the run. */
  tmpDir: string;
  log(message: string): void;
}

export interface ScenarioResult<Raw = unknown> {
  rows: Row[];
  raw: Raw;
}

export interface Scenario<Raw = unknown> {
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult<Raw>>;
}

/** Picks the setting for the mode. */
export function byMode<T>(mode: Mode, values: Record<Mode, T>): T {
  return values[mode];
}

/** Throws (failing the scenario loudly) unless the condition holds. */
export function expect(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`bench self-check failed: ${what}`);
}
