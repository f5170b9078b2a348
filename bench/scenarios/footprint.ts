// Scenario 5 (agent half), footprint: the felhom-agent daemon (compiled, with the node flags of its unit)
// against the simulator and a root helper process, with a 0.1 s snapshot interval; its RSS after start-up and
// at every cycle up to 100. (The helper's RSS idle and after its calls is measured by the helper scenario.)
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startHelperProcess } from "../lib/helper-process.js";
import { emptyNodeMemory } from "../lib/node-floor.js";
import { REPO_ROOT } from "../lib/paths.js";
import { processPrivateBytes, processRssBytes } from "../lib/proc.js";
import { row, type Row } from "../lib/results.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim } from "../lib/sim-process.js";
import { median } from "../lib/stats.js";
import { AGENT_NODE_FLAGS } from "../lib/unit-flags.js";

export const AGENT_DAEMON = join(REPO_ROOT, "packages/agent/dist/daemon.js");
const MB = 1024 * 1024;

export const footprintSettings = {
  full: { cycles: 100, warmupCycle: 10 },
  quick: { cycles: 100, warmupCycle: 10 },
  smoke: { cycles: 4, warmupCycle: 2 },
};

export interface FootprintRaw {
  /** RSS (bytes) after each completed cycle, index 0 = cycle 1. */
  rssByCycle: number[];
  /** Each cycle's duration as the daemon logs it (ms), to show that the node flags do not slow it. */
  cycleMs: number[];
  privateAfterStart: number;
  privateAfter: number;
  failedCycles: number;
  floorRss: number;
  /** RSS of a node that only loads the daemon's modules. */
  loadedRss: number;
  stateFileBytes: number;
}

export const footprint: Scenario<FootprintRaw> = {
  id: "footprint",
  title: "Agent daemon footprint (scenario 5)",
  async run(ctx) {
    const s = byMode(ctx.mode, footprintSettings);
    const sim = await spawnSim({});
    const helper = await startHelperProcess(join(ctx.tmpDir, "helper"));
    const stateFile = join(ctx.tmpDir, "state.json");
    const configFile = join(ctx.tmpDir, "agent.json");
    const tokenFile = join(ctx.tmpDir, "pve-token");
    await writeFile(tokenFile, `${sim.token.secret}\n`, { mode: 0o600 });
    await writeFile(
      configFile,
      JSON.stringify({
        pve: {
          url: sim.url,
          node: sim.node,
          tokenId: sim.token.id,
          tls: { fingerprint256: sim.fingerprint256 },
        },
        helper: { socket: helper.socket },
        snapshot: { intervalSeconds: 0.1, stateFile, disks: [] },
        log: { level: "info" },
      }),
    );
    const rssByCycle: number[] = [];
    const cycleMs: number[] = [];
    let privateAfterStart = 0;
    let privateAfter = 0;
    let failedCycles = 0;
    let stderr = "";
    const daemon = spawn(
      process.execPath,
      [...AGENT_NODE_FLAGS, AGENT_DAEMON, "--config", configFile, "--token-file", tokenFile],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      daemon.once("exit", (code) => resolve(code)),
    );
    daemon.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-3000)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${s.cycles} cycles not done in 120 s`)),
          120_000,
        );
        void exited.then((code) => reject(new Error(`the daemon exited ${code}: ${stderr}`)));
        createInterface({ input: daemon.stdout }).on("line", (line) => {
          let rec: { cycle?: number; msg?: string; ms?: number };
          try {
            rec = JSON.parse(line) as typeof rec;
          } catch {
            return;
          }
          if (typeof rec.cycle !== "number" || !rec.msg?.startsWith("snapshot")) return;
          if (!rec.msg.startsWith("snapshot: ")) failedCycles++;
          if (rssByCycle.length >= s.cycles) return;
          rssByCycle.push(processRssBytes(daemon.pid ?? -1));
          if (typeof rec.ms === "number") cycleMs.push(rec.ms);
          if (rssByCycle.length === 1) privateAfterStart = processPrivateBytes(daemon.pid ?? -1);
          if (rssByCycle.length === s.cycles) {
            privateAfter = processPrivateBytes(daemon.pid ?? -1);
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      if (daemon.exitCode === null) daemon.kill("SIGTERM");
      const code = await exited;
      await helper.close();
      await sim.close();
      expect(code === 0, `the daemon exited ${code} on SIGTERM: ${stderr}`);
    }
    const state = JSON.parse(await readFile(stateFile, "utf8")) as Record<string, { ok?: boolean }>;
    for (const part of ["nodeStatus", "guests", "storage", "sensors"])
      expect(
        state[part]?.ok === true,
        `the state file's ${part} part is not ok: ${JSON.stringify(state[part]).slice(0, 300)}`,
      );
    expect(failedCycles === 0, `${failedCycles} snapshot cycles failed`);
    expect(cycleMs.length === rssByCycle.length, "a snapshot log line carried no duration (ms)");
    const floor = await emptyNodeMemory(AGENT_NODE_FLAGS);
    const loaded = await emptyNodeMemory(
      AGENT_NODE_FLAGS,
      join(REPO_ROOT, "packages/agent/dist/daemon-main.js"),
    );
    const stateFileBytes = Buffer.byteLength(JSON.stringify(state));
    ctx.log(
      `agent RSS ${rssByCycle
        .map((b) => (b / MB).toFixed(1))
        .filter((_, i) => i % 10 === 0 || i === rssByCycle.length - 1)
        .join(" → ")} MB`,
    );
    const raw = {
      rssByCycle,
      cycleMs,
      privateAfterStart,
      privateAfter,
      failedCycles,
      floorRss: floor.rss,
      loadedRss: loaded.rss,
      stateFileBytes,
    };
    return { rows: footprintRows(raw, s.warmupCycle), raw };
  },
};

/** Median RSS over cycles [from, to] (1-based, inclusive). */
function rssOver(raw: FootprintRaw, from: number, to: number): number {
  return median(raw.rssByCycle.slice(Math.max(0, from - 1), Math.max(from, to)));
}

export function footprintRows(raw: FootprintRaw, warmupCycle: number): Row[] {
  const name = "footprint: agent daemon";
  const n = raw.rssByCycle.length;
  const first = raw.rssByCycle[0] ?? NaN;
  const last = raw.rssByCycle[n - 1] ?? NaN;
  // Flat: the last ten cycles against the ten after warm-up (medians, so one GC moment does not decide).
  const early = rssOver(raw, warmupCycle + 1, warmupCycle + 10);
  const late = rssOver(raw, n - 9, n);
  return [
    row({
      name,
      metric: "RSS of a node that only loads the daemon's modules (baseline: empty node)",
      unit: "MB",
      value: raw.loadedRss / MB,
      baseline: raw.floorRss / MB,
      note: "the memory the code costs before any work; the ≤ 70 MB budget must also hold the work",
    }),
    row({
      name,
      metric: "RSS after start-up and the first snapshot (baseline: empty node)",
      unit: "MB",
      value: first / MB,
      baseline: raw.floorRss / MB,
      target: { op: "<=", value: 70, unit: "MB" },
    }),
    row({
      name,
      metric: `RSS after ${n} snapshot cycles`,
      unit: "MB",
      value: last / MB,
      target: { op: "<=", value: 70, unit: "MB" },
    }),
    row({
      name,
      metric: `flat: median RSS of the last 10 cycles vs cycles ${warmupCycle + 1}–${warmupCycle + 10}`,
      unit: "MB",
      value: late / MB,
      baseline: early / MB,
      target: { op: "<=", ratio: 1.1 },
    }),
    row({
      name,
      metric: `private memory after ${n} cycles (baseline: after start-up)`,
      unit: "MB",
      value: raw.privateAfter / MB,
      baseline: raw.privateAfterStart / MB,
    }),
    row({
      name,
      metric: `snapshot cycle time, median of cycles ${warmupCycle + 1}–${n}`,
      unit: "ms",
      value: median(raw.cycleMs.slice(warmupCycle)),
    }),
  ];
}
