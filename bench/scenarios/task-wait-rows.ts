// The result rows of the task-wait scenario: for each duration, the lag and status requests of the pve-client in
// a fresh process per wait (with the task-list estimate, with the plain schedule, and with the duration as its
// expectedMs hint) against proxmoxer's fixed 1 s; and what the task-list read costs (time, bytes).
import { row, type Row } from "../lib/results.js";
import { max, median } from "../lib/stats.js";
import type { Wait } from "./task-wait.js";

const seconds = (ms: number): string => `${ms / 1000} s`;

const VARIANTS = [
  [
    "pve-client",
    "pve-client, fresh process (expects the duration of earlier runs in the task list)",
  ],
  ["pve-client, plain", "pve-client, fresh process, plain schedule (task-list read off)"],
  ["pve-client+expectedMs", "pve-client, fresh process, expectedMs = duration"],
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
    rows.push(...listReadRows(name, pick("pve-client")));
    rows.push(
      row({ name, metric: "proxmoxer blocking_status: lag, median", unit: "ms", value: pxLag }),
    );
  }
  return rows;
}

/** The task-list read of the default series: one per wait, alongside the first status poll. */
function listReadRows(name: string, ws: readonly Wait[]): Row[] {
  const estimated = ws.filter((w) => w.estimate?.source === "tasks").length;
  const times = ws.flatMap((w) => (w.estimate?.listMs === undefined ? [] : [w.estimate.listMs]));
  const bytes = ws.flatMap((w) => (w.listBytes === undefined ? [] : [w.listBytes]));
  const out: Row[] = [
    row({
      name,
      metric: `pve-client: waits that used a task-list estimate (of ${ws.length})`,
      unit: "waits",
      value: estimated,
      ...(estimated === 0 ? { note: "no two earlier runs of 2 s or more: plain schedule" } : {}),
    }),
  ];
  if (times.length > 0)
    out.push(
      row({
        name,
        metric: "pve-client: task-list read, time to answer, median (in parallel with the polls)",
        unit: "ms",
        value: median(times),
      }),
    );
  if (bytes.length > 0)
    out.push(
      row({
        name,
        metric: "pve-client: task-list read, response body, median",
        unit: "bytes",
        value: median(bytes),
      }),
    );
  return out;
}
