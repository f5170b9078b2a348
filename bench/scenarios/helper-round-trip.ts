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
import { emptyNodeMemory } from "../lib/node-floor.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { median } from "../lib/stats.js";
import { HELPER_NODE_FLAGS } from "../lib/unit-flags.js";
import {
  coldStart,
  coldStartUnavailable,
  type ColdEntry,
  type ColdStart,
} from "./helper-cold-start.js";
import { helperRows } from "./helper-rows.js";

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
  privateIdleBytes: number;
  privateAfterBytes: number;
  /** RSS of an empty node with the same flags. */
  floorRssBytes: number;
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
    let privateIdleBytes: number;
    let privateAfterBytes: number;
    try {
      await new Promise((r) => setTimeout(r, 200)); // settle after start-up
      rssIdleBytes = helper.rssBytes();
      privateIdleBytes = helper.privateBytes();
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
      privateAfterBytes = helper.privateBytes();
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
      privateIdleBytes,
      privateAfterBytes,
      floorRssBytes: (await emptyNodeMemory(HELPER_NODE_FLAGS)).rss,
      coldStarts,
      coldEntry: entry.kind,
    };
    if (skipped !== undefined) raw.coldStartSkipped = skipped;
    if (mainFailure !== undefined) raw.mainFailure = mainFailure;
    return { rows: helperRows(raw, s.calls), raw };
  },
};
