// Scenario 4, the helper round trip: hw.sensors through the agent's stub (HelperClient), a real Unix socket,
// the root helper (own process, production flags) and the fake `sensors`, against execFile of the same fake
// binary with the same argv and environment; alternated call by call, p50 and p99. Also the helper's cold
// start under socket activation, and (scenario 5's helper half) its RSS idle and after the calls.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { HelperClient } from "@felhom/helper-protocol";
import { TOOL_ENV } from "@felhom/root-helper";
import { startHelperProcess, writeHelperConfig } from "../lib/helper-process.js";
import { row, type Row } from "../lib/results.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { max, median, percentile } from "../lib/stats.js";
import {
  coldStart,
  coldStartUnavailable,
  type ColdEntry,
  type ColdStart,
} from "./helper-cold-start.js";

export const helperSettings = {
  full: { calls: 1000, warmup: 20, coldStarts: 10 },
  quick: { calls: 150, warmup: 10, coldStarts: 3 },
  smoke: { calls: 6, warmup: 1, coldStarts: 1 },
};

export interface HelperRaw {
  helperMs: number[];
  directMs: number[];
  readings: number;
  served: number;
  rssIdleBytes: number;
  rssAfterBytes: number;
  coldStarts: ColdStart[];
  /** Which entry the cold starts ran, and why not the production one if so. */
  coldEntry: ColdEntry["kind"];
  mainFailure?: string;
  coldStartSkipped?: string;
}

const MB = 1024 * 1024;

function execDirect(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { shell: false, env: TOOL_ENV, timeout: 60_000, maxBuffer: 4 * MB };
    const child = execFile(binary, ["-j"], options, (err, stdout) =>
      err ? reject(new Error(`${binary} -j failed`, { cause: err })) : resolve(stdout),
    );
    child.stdin?.end();
  });
}

export const helperRoundTrip: Scenario<HelperRaw> = {
  id: "helper",
  title: "Helper round trip and cold start (scenario 4; helper footprint of scenario 5)",
  async run(ctx) {
    const s = byMode(ctx.mode, helperSettings);
    const helper = await startHelperProcess(join(ctx.tmpDir, "helper"));
    const helperMs: number[] = [];
    const directMs: number[] = [];
    let readings = 0;
    let rssIdleBytes: number;
    let rssAfterBytes: number;
    try {
      await new Promise((r) => setTimeout(r, 200)); // settle after start-up
      rssIdleBytes = helper.rssBytes();
      const client = await HelperClient.connect(helper.socket);
      try {
        for (let i = 0; i < s.warmup + s.calls; i++) {
          let t0 = performance.now();
          const { readings: got } = await client.sensors();
          const tHelper = performance.now() - t0;
          t0 = performance.now();
          const out = await execDirect(helper.tools.sensors as string);
          const tDirect = performance.now() - t0;
          expect(got.length > 0 && out.length > 0, "hw.sensors or the direct run gave nothing");
          readings = got.length;
          if (i >= s.warmup) {
            helperMs.push(tHelper);
            directMs.push(tDirect);
          }
        }
      } finally {
        client.close();
      }
      rssAfterBytes = helper.rssBytes();
    } finally {
      await helper.close();
    }
    const served = helper.audited("hw.sensors", "ok");
    expect(
      served === s.warmup + s.calls,
      `the helper audited ${served} hw.sensors calls, ${s.warmup + s.calls} were made`,
    );

    const coldStarts: ColdStart[] = [];
    let entry: ColdEntry = { kind: "main" };
    let mainFailure: string | undefined;
    const skipped = coldStartUnavailable();
    if (skipped === undefined) {
      const dir = join(ctx.tmpDir, "activate");
      await mkdir(dir, { mode: 0o700 });
      try {
        coldStarts.push(await coldStart(dir, 0, entry));
      } catch (err) {
        // Measured on the library entry instead, with the reason on the row.
        mainFailure = (err as Error).message;
        ctx.log(`production entry: ${mainFailure}`);
        const { configFile } = await writeHelperConfig(join(dir, "library"), { fd: 3 });
        entry = { kind: "library", configFile };
      }
      for (let i = coldStarts.length; i < s.coldStarts; i++)
        coldStarts.push(await coldStart(dir, i + 1, entry));
    } else ctx.log(`cold start skipped: ${skipped}`);
    ctx.log(
      `round trip p50 ${median(helperMs).toFixed(2)} ms vs execFile ${median(directMs).toFixed(2)} ms; ` +
        `cold start ${coldStarts.map((c) => c.ms.toFixed(0)).join(", ")} ms`,
    );
    const raw: HelperRaw = {
      helperMs,
      directMs,
      readings,
      served,
      rssIdleBytes,
      rssAfterBytes,
      coldStarts,
      coldEntry: entry.kind,
    };
    if (skipped !== undefined) raw.coldStartSkipped = skipped;
    if (mainFailure !== undefined) raw.mainFailure = mainFailure;
    return { rows: helperRows(raw, s.calls), raw };
  },
};

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
        metric: `RSS of the ${which} right after its first hello, median`,
        unit: "MB",
        value: median(raw.coldStarts.map((c) => c.rssBytes)) / MB,
        target: { op: "<=", value: 50, unit: "MB" },
      }),
    );
  }
  rows.push(
    row({
      name: "footprint: root helper",
      metric: "RSS idle (library entry, production flags)",
      unit: "MB",
      value: raw.rssIdleBytes / MB,
      target: { op: "<=", value: 50, unit: "MB" },
    }),
  );
  rows.push(
    row({
      name: "footprint: root helper",
      metric: `RSS after ${raw.served} calls (baseline: idle)`,
      unit: "MB",
      value: raw.rssAfterBytes / MB,
      baseline: raw.rssIdleBytes / MB,
      target: { op: "<=", value: 50, unit: "MB" },
    }),
  );
  return rows;
}
