// Renders result rows as the markdown table the bench prints (and the README quotes).
import type { Row } from "./results.js";
import { describeTarget } from "./targets.js";

/** A figure for people: up to 3 significant digits, thousands kept whole. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs === 0) return "0";
  return String(Number(n.toPrecision(3)));
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\s+/g, " ");

export function renderTable(rows: readonly Row[]): string {
  const head = "| Scenario | Metric | Value | Baseline | Ratio | Target | Met |";
  const rule = "| --- | --- | ---: | ---: | ---: | --- | :---: |";
  const lines = rows.map((r) => {
    const met = r.met === null ? "–" : r.met ? "yes" : "**NO**";
    return `| ${[
      cell(r.name),
      cell(r.metric),
      r.value === null ? "no figure" : `${formatNumber(r.value)} ${r.unit}`,
      r.baseline === null ? "–" : formatNumber(r.baseline),
      r.ratio === null ? "–" : `${formatNumber(r.ratio)}×`,
      cell(describeTarget(r.target)),
      met,
    ].join(" | ")} |`;
  });
  return [head, rule, ...lines].join("\n");
}

/** One line per row that missed its target or came out without a figure, with its note. */
export function renderMisses(rows: readonly Row[]): string {
  const missed = rows.filter((r) => r.met === false || r.value === null);
  if (missed.length === 0) return "All targets met.";
  return missed
    .map(
      (r) =>
        `- ${r.name} / ${r.metric}: ${r.value === null ? "no figure" : "missed"}${r.note ? ` — ${r.note}` : ""}`,
    )
    .join("\n");
}
