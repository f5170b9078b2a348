// The results document (bench/results/latest.json): its zod schema, the machine description, and row(), which
// derives ratio and met from the measured figures so that neither can be typed in.
import { cpus, loadavg, platform, release } from "node:os";
import { z } from "zod";
import { round } from "./stats.js";
import { evaluate, Target } from "./targets.js";

const finite = z.number().refine(Number.isFinite, { message: "must be a finite number" });

/** How the note of a row without a figure begins. */
export const NO_FIGURE = "no figure: ";

export const Row = z
  .strictObject({
    name: z.string().min(1),
    metric: z.string().min(1),
    unit: z.string().min(1),
    /** null: the measurement came out empty (the note says why), so there is no figure to compare. */
    value: finite.nullable(),
    baseline: finite.nullable(),
    ratio: finite.nullable(),
    target: Target.nullable(),
    met: z.boolean().nullable(),
    /** What the figure means, or what holds a missed target back. */
    note: z.string().optional(),
  })
  .superRefine((r, ctx) => {
    if (r.value === null) {
      if (r.ratio !== null || r.met !== null || !r.note?.startsWith(NO_FIGURE))
        ctx.addIssue({
          code: "custom",
          path: ["value"],
          message: `an empty figure has no ratio, no met and a note starting "${NO_FIGURE}"`,
        });
      return;
    }
    const ratio = r.baseline !== null && r.baseline !== 0 ? r.value / r.baseline : null;
    if (ratio === null ? r.ratio !== null : r.ratio === null || !close(r.ratio, ratio))
      ctx.addIssue({ code: "custom", path: ["ratio"], message: "is not value / baseline" });
    let met: boolean | null;
    try {
      met = evaluate(r.target, { value: r.value, ratio: r.ratio, unit: r.unit });
    } catch (err) {
      ctx.addIssue({ code: "custom", path: ["target"], message: (err as Error).message });
      return;
    }
    if (met !== r.met)
      ctx.addIssue({ code: "custom", path: ["met"], message: "does not follow from the figures" });
  });
export type Row = z.infer<typeof Row>;

export const Machine = z.strictObject({
  cores: z.number().int().positive(),
  cpuModel: z.string(),
  node: z.string(),
  platform: z.string(),
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  load: z.strictObject({ start: z.array(z.number()), end: z.array(z.number()) }).optional(),
});
export type Machine = z.infer<typeof Machine>;

export const Results = z.strictObject({
  machine: Machine,
  date: z.iso.datetime(),
  mode: z.enum(["full", "quick", "smoke"]),
  /** Wall time of the whole run, in seconds. */
  durationSec: finite.optional(),
  scenarios: z.array(Row).min(1),
});
export type Results = z.infer<typeof Results>;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

export interface RowInput {
  name: string;
  metric: string;
  unit: string;
  value: number;
  baseline?: number | null;
  target?: Target | null;
  note?: string;
}

/**
 * A result row: value and baseline rounded to 4 significant digits, ratio = value / baseline of those, met
 * evaluated from the target. Throws on a non-finite figure, so a broken measurement cannot become a number.
 */
export function row(input: RowInput): Row {
  for (const [k, v] of [
    ["value", input.value],
    ["baseline", input.baseline ?? 0],
  ] as const)
    if (!Number.isFinite(v)) throw new Error(`${input.name} / ${input.metric}: ${k} is ${v}`);
  const value = round(input.value);
  const baseline =
    input.baseline === undefined || input.baseline === null ? null : round(input.baseline);
  const ratio = baseline !== null && baseline !== 0 ? value / baseline : null;
  const target = input.target ?? null;
  const out: Row = {
    name: input.name,
    metric: input.metric,
    unit: input.unit,
    value,
    baseline,
    ratio,
    target,
    met: evaluate(target, { value, ratio, unit: input.unit }),
  };
  if (input.note !== undefined) out.note = input.note;
  return out;
}

export function describeMachine(loadAtStart?: number[]): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${platform()} ${release()}`,
    ...(loadAtStart ? { load: { start: loadAtStart, end: loadavg() } } : {}),
  };
}

/**
 * The row of a measurement that can come out empty (no requests timed, a CPU time under the clock's resolution):
 * a non-finite value or baseline gives a row that says so, instead of throwing the whole scenario away.
 */
export function measuredRow(input: RowInput): Row {
  for (const [k, v] of [
    ["value", input.value],
    ["baseline", input.baseline ?? 0],
  ] as const)
    if (!Number.isFinite(v)) return emptyRow(input, `${k} is ${v}`);
  return row(input);
}

/** A row whose measurement came out empty: no figure, no ratio, no verdict; the note says why. */
export function emptyRow(input: Omit<RowInput, "value" | "baseline">, why: string): Row {
  return {
    name: input.name,
    metric: input.metric,
    unit: input.unit,
    value: null,
    baseline: null,
    ratio: null,
    target: input.target ?? null,
    met: null,
    note: `${NO_FIGURE}${why}${input.note === undefined ? "" : `; ${input.note}`}`,
  };
}
