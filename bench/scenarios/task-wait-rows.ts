// The result rows of the task-wait scenario: for each duration, the pve-client's lag and status requests (with
// its defaults, learning from earlier waits, and with the task's duration as its expectedMs hint) against
// proxmoxer's fixed 1 s; and, for information, the learning client's first wait of each duration.
import { row, type Row } from "../lib/results.js";
import { max, median } from "../lib/stats.js";
import type { Wait } from "./task-wait.js";

const seconds = (ms: number): string => `${ms / 1000} s`;

const VARIANTS = [
  ["pve-client", "pve-client (learns from earlier waits)"],
  ["pve-client+expectedMs", "pve-client, expectedMs = duration"],
] as const;

export function waitRows(waits: readonly Wait[], durations: readonly number[]): Row[] {
  const rows: Row[] = [];
  for (const d of durations) {
    const pick = (c: Wait["client"]) => waits.filter((w) => w.client === c && w.durationMs === d);
    const px = pick("proxmoxer");
    const name = `wait for a ${seconds(d)} task`;
    const pxLag = median(px.map((w) => w.lagMs));
    const pxPolls = median(px.map((w) => w.statusRequests));
    for (const [client, label] of VARIANTS) {
      const ws = pick(client);
      const lag = median(ws.map((w) => w.lagMs));
      if (d <= 5000)
        rows.push(
          row({
            name,
            metric: `${label}: lag after task end, median (baseline: proxmoxer)`,
            unit: "ms",
            value: lag,
            baseline: pxLag,
            target: { op: "<=", value: 100, unit: "ms" },
          }),
        );
      else
        rows.push(
          row({
            name,
            metric: `${label}: lag after task end, median (baseline: task duration)`,
            unit: "ms",
            value: lag,
            baseline: d,
            target: { op: "<=", ratio: 0.1 },
          }),
        );
      rows.push(
        row({
          name,
          metric: `${label}: lag, max (baseline: proxmoxer max)`,
          unit: "ms",
          value: max(ws.map((w) => w.lagMs)),
          baseline: max(px.map((w) => w.lagMs)),
        }),
        row({
          name,
          metric: `${label}: status requests per wait, median (baseline: proxmoxer, fixed 1 s)`,
          unit: "requests",
          value: median(ws.map((w) => w.statusRequests)),
          baseline: pxPolls,
          target: d >= 5000 ? { op: "<", ratio: 1 } : null,
        }),
      );
    }
    const first = pick("pve-client").find((w) => w.run === 0);
    if (first)
      rows.push(
        row({
          name,
          metric: `pve-client, first wait of this duration (${predictedFrom(first)}): lag (baseline: proxmoxer median)`,
          unit: "ms",
          value: first.lagMs,
          baseline: pxLag,
        }),
        row({
          name,
          metric:
            "pve-client, first wait of this duration: status requests (baseline: proxmoxer median)",
          unit: "requests",
          value: first.statusRequests,
          baseline: pxPolls,
        }),
      );
    rows.push(
      row({ name, metric: "proxmoxer blocking_status: lag, median", unit: "ms", value: pxLag }),
    );
  }
  return rows;
}

/** What the first wait of a duration expected: nothing, or the guest's last run at another duration. */
function predictedFrom(w: Wait): string {
  const e = w.estimate;
  if (!e || e.source === "none" || e.ms === undefined) return "nothing learned yet";
  return `expecting ~${seconds(Math.round(e.ms / 100) * 100)}, the ${e.source}'s last run`;
}
