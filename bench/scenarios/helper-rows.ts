// The result rows of the helper scenario: round trip against execFile, cold start, and the helper's footprint.
import { row, type Row } from "../lib/results.js";
import { max, median, percentile } from "../lib/stats.js";
import type { HelperRaw } from "./helper-round-trip.js";

const MB = 1024 * 1024;

export function helperRows(raw: HelperRaw, calls: number): Row[] {
  const name = `helper hw.sensors round trip (${calls} calls)`;
  const [h50, d50, h99, d99] = [
    median(raw.helperMs),
    median(raw.directMs),
    percentile(raw.helperMs, 99),
    percentile(raw.directMs, 99),
  ];
  const rows = [
    row({ name, metric: "execFile of the fake sensors, p50", unit: "ms", value: d50 }),
    row({
      name,
      metric: "through stub + socket + helper, p50",
      unit: "ms",
      value: h50,
      baseline: d50,
    }),
    row({
      name,
      metric: "added by the helper path, p50 (baseline: execFile p50)",
      unit: "ms",
      value: h50 - d50,
      baseline: d50,
      target: { op: "<=", value: 2, unit: "ms" },
    }),
    row({
      name,
      metric: "through stub + socket + helper, p99 (baseline: execFile p99)",
      unit: "ms",
      value: h99,
      baseline: d99,
    }),
  ];
  if (raw.coldStarts.length > 0) {
    const ms = raw.coldStarts.map((c) => c.ms);
    const which = raw.coldEntry === "main" ? "main.js" : "library entry";
    const cold = `helper cold start (systemd-socket-activate, ${which}, production flags, ${ms.length}×)`;
    const note = raw.mainFailure
      ? { note: `main.js could not start under socket activation: ${raw.mainFailure}` }
      : {};
    rows.push(
      row({
        name: cold,
        metric: "connect → hello answered, median",
        unit: "ms",
        value: median(ms),
        target: { op: "<=", value: 300, unit: "ms" },
        ...note,
      }),
    );
    rows.push(
      row({ name: cold, metric: "connect → hello answered, max", unit: "ms", value: max(ms) }),
    );
    rows.push(
      row({
        name: "footprint: root helper",
        metric: `RSS of ${raw.coldEntry === "main" ? "main.js" : "the library entry"} right after its first hello, median`,
        unit: "MB",
        value: median(raw.coldStarts.map((c) => c.rssBytes)) / MB,
        target: { op: "<=", value: 50, unit: "MB" },
      }),
    );
  }
  const foot = "footprint: root helper";
  rows.push(
    row({
      name: foot,
      metric: "RSS idle, library entry with production flags (baseline: empty node, same flags)",
      unit: "MB",
      value: raw.rssIdleBytes / MB,
      baseline: raw.floorRssBytes / MB,
      target: { op: "<=", value: 50, unit: "MB" },
    }),
    row({
      name: foot,
      metric: `RSS after ${raw.served} calls (baseline: idle)`,
      unit: "MB",
      value: raw.rssAfterBytes / MB,
      baseline: raw.rssIdleBytes / MB,
      target: { op: "<=", value: 50, unit: "MB" },
    }),
    row({
      name: foot,
      metric: `private memory (RSS less shared pages) after ${raw.served} calls (baseline: idle)`,
      unit: "MB",
      value: raw.privateAfterBytes / MB,
      baseline: raw.privateIdleBytes / MB,
    }),
  );
  return rows;
}
