// Targets as data: a comparison either of the ratio (value / baseline) or of the value itself in a named unit.
// `met` is always computed from the measured figures by evaluate(), never written by hand.
import { z } from "zod";

export const Op = z.enum(["<", "<=", ">", ">="]);
export type Op = z.infer<typeof Op>;

export const Target = z.union([
  z.strictObject({ op: Op, ratio: z.number().positive() }),
  z.strictObject({ op: Op, value: z.number(), unit: z.string().min(1) }),
]);
export type Target = z.infer<typeof Target>;

function compare(left: number, op: Op, right: number): boolean {
  switch (op) {
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
  }
}

/** Whether the figures meet the target; null when there is no target. A ratio target without a ratio fails. */
export function evaluate(
  target: Target | null,
  figures: { value: number; ratio: number | null; unit: string },
): boolean | null {
  if (target === null) return null;
  if ("ratio" in target)
    return figures.ratio !== null && compare(figures.ratio, target.op, target.ratio);
  if (target.unit !== figures.unit)
    throw new Error(`target unit ${target.unit} does not match the figure's unit ${figures.unit}`);
  return compare(figures.value, target.op, target.value);
}

/** "≥ 0.85× baseline" or "≤ 100 ms". */
export function describeTarget(target: Target | null): string {
  if (target === null) return "–";
  const op = { "<": "<", "<=": "≤", ">": ">", ">=": "≥" }[target.op];
  return "ratio" in target ? `${op} ${target.ratio}×` : `${op} ${target.value} ${target.unit}`;
}
