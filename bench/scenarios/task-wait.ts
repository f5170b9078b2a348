// Scenario 3, task waiting: QEMU start/stop tasks lasting 0.2 s, 1 s, 5 s and 30 s in the simulator (real
// clock). Three series wait side by side, one guest and one long-lived client each (as the agent runs): the
// pve-client learning durations from its earlier waits, the pve-client told the duration, and proxmoxer.
// Lag = when the wait returned − when the task ended; status requests counted by the simulator.
import { join } from "node:path";
import { Client, silentLogger, type Logger } from "@felhom/pve-client";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim, type SimProcess } from "../lib/sim-process.js";
import { RequestLog, type RecordedRequest } from "../lib/sim-requests.js";
import { median } from "../lib/stats.js";
import { prepareProxmoxerWaits } from "./task-wait-proxmoxer.js";
import { waitRows } from "./task-wait-rows.js";

export interface WaitTier {
  durationMs: number;
  /** Waits per series, one after another: the first is predicted (if at all) from the tier before. */
  runs: number;
}

const tiers = (...t: [number, number][]): WaitTier[] =>
  t.map(([durationMs, runs]) => ({ durationMs, runs }));

/**
 * Quick runs 5 waits up to 5 s, so that the median is a learned wait (the first runs the plain schedule and
 * the second an estimate kept on the short side), and 2 at 30 s to stay within its time budget.
 */
export const waitSettings = {
  full: { tiers: tiers([200, 10], [1000, 10], [5000, 10], [30_000, 10]) },
  quick: { tiers: tiers([200, 5], [1000, 5], [5000, 5], [30_000, 2]) },
  smoke: { tiers: tiers([200, 2]) },
};

/** How long the task that puts a guest back into place takes (not measured). */
const RESET_MS = 50;

export interface Wait {
  /** "pve-client+expectedMs": waitTask given the task's duration as its `expectedMs` hint. */
  client: "pve-client" | "pve-client+expectedMs" | "proxmoxer";
  durationMs: number;
  /** Index among the waits of this duration and series; 0 is the first, predicted (if at all) from before. */
  run: number;
  vmid: number;
  upid: string;
  /** Estimated end: when the simulator received the start request, plus the task's duration. */
  endMs: number;
  returnedMs: number;
  lagMs: number;
  statusRequests: number;
  /** The pve-client's expected duration for this wait and where it came from (its debug log). */
  estimate?: { source: string; ms?: number };
}

export interface WaitRaw {
  waits: Wait[];
}

type Estimates = Map<string, { source: string; ms?: number }>;

interface Series {
  learning: Client;
  hinted: Client;
  /** Puts guests into place between waits; learns nothing. */
  admin: Client;
  guests: { learning: number; hinted: number; python: number };
  estimates: Estimates;
}

/** Running QEMU guests among the synthetic ones: one per series (no lock contention between series). */
async function pickGuests(client: Client): Promise<Series["guests"]> {
  const list = await client.clusterResources({ type: "vm" });
  const ids = list
    .filter((r) => r.type === "qemu" && r.status === "running" && (r.vmid ?? 0) >= 1000)
    .map((r) => r.vmid as number);
  const [learning, hinted, python] = ids;
  expect(python !== undefined, `the simulator has ${ids.length} running synthetic VMs, 3 needed`);
  return { learning: learning as number, hinted: hinted as number, python };
}

/** A logger that keeps only waitTask's "which expected duration" line, by UPID. */
function estimateLogger(estimates: Estimates): Logger {
  return {
    ...silentLogger,
    debug(obj, msg) {
      if (msg !== "pve task wait estimate") return;
      const o = obj as { upid: string; source: string; expectedMs?: number };
      estimates.set(o.upid, { source: o.source, ...(o.expectedMs ? { ms: o.expectedMs } : {}) });
    },
    isLevelEnabled: (level) => level === "debug",
  };
}

function statusPolls(recorded: RecordedRequest[], upid: string): number {
  return recorded.filter((r) => {
    if (r.method !== "GET") return false;
    const path = decodeURIComponent(r.path);
    return path.includes(upid) && path.endsWith("/status");
  }).length;
}

/** Brings a guest into the state the measured action needs, with a short task the series do not see. */
async function putInPlace(
  sim: SimProcess,
  admin: Client,
  vmid: number,
  action: "start" | "stop",
): Promise<void> {
  const { status } = await admin.guestStatus(sim.node, "qemu", vmid);
  if (action === "start" && status !== "stopped")
    await admin.run(admin.stop(sim.node, "qemu", vmid), { timeoutMs: 60_000 });
  if (action === "stop" && status !== "running")
    await admin.run(admin.start(sim.node, "qemu", vmid), { timeoutMs: 60_000 });
}

async function nodeWait(
  sim: SimProcess,
  client: Client,
  vmid: number,
  action: "start" | "stop",
  opts: { timeoutMs: number; expectedMs?: number },
): Promise<{ vmid: number; upid: string; returnedMs: number }> {
  const upid = await client[action](sim.node, "qemu", vmid);
  const outcome = await client.waitTask(upid, opts);
  const returnedMs = Date.now();
  expect(outcome.status === "ok", `pve-client wait for ${upid.raw} ended ${outcome.status}`);
  return { vmid, upid: upid.raw, returnedMs };
}

/** One wait per series, side by side, for a task of `durationMs`. */
async function runRound(
  sim: SimProcess,
  series: Series,
  log: RequestLog,
  durationMs: number,
  action: "start" | "stop",
  run: number,
): Promise<Wait[]> {
  const { guests, admin } = series;
  const [python] = await Promise.all([
    prepareProxmoxerWaits(sim, [{ vmid: guests.python, action }]),
    ...Object.values(guests).map((vmid) => putInPlace(sim, admin, vmid, action)),
  ]);
  await log.mark();
  const timeoutMs = durationMs * 3 + 60_000;
  const [fromPython, fromNode, fromHinted] = await Promise.all([
    python.go(),
    nodeWait(sim, series.learning, guests.learning, action, { timeoutMs }),
    nodeWait(sim, series.hinted, guests.hinted, action, { timeoutMs, expectedMs: durationMs }),
  ]).catch((err: unknown) => {
    python.kill();
    throw err;
  });
  const recorded = await log.take();
  const waits: Wait[] = [];
  const add = (
    who: Wait["client"],
    w: { vmid: number; upid: string; returnedMs: number },
  ): void => {
    const post = recorded.find((r) => r.method === "POST" && r.upid === w.upid);
    expect(post !== undefined, `the simulator recorded no start request for ${w.upid}`);
    const endMs = post.at + durationMs;
    const estimate = series.estimates.get(w.upid);
    waits.push({
      client: who,
      durationMs,
      run,
      ...w,
      endMs,
      lagMs: w.returnedMs - endMs,
      statusRequests: statusPolls(recorded, w.upid),
      ...(estimate ? { estimate } : {}),
    });
  };
  add("pve-client", fromNode);
  add("pve-client+expectedMs", fromHinted);
  for (const w of fromPython) {
    expect(w.exitstatus === "OK", `proxmoxer wait for ${w.upid} ended ${w.status} ${w.exitstatus}`);
    add("proxmoxer", w);
  }
  await checkRound(sim, admin, waits);
  return waits;
}

/** Fails loudly when an estimate, a count or the learning itself is not what the round claims. */
async function checkRound(sim: SimProcess, admin: Client, waits: Wait[]): Promise<void> {
  // The estimated end must agree with the simulator's own end time (whole seconds).
  const history = await admin.taskList(sim.node, { limit: 1000, source: "archive" });
  for (const w of waits) {
    const endtime = history.find((t) => t.upid === w.upid)?.endtime ?? -1;
    expect(
      endtime >= Math.floor(w.endMs / 1000) && endtime <= Math.floor((w.endMs + 250) / 1000),
      `task ${w.upid} ended at ${endtime} s, estimated ${w.endMs} ms`,
    );
    expect(w.lagMs > -5, `${w.client} returned ${-w.lagMs} ms before the task's estimated end`);
    expect(w.statusRequests >= 1, `${w.client} made no status request for ${w.upid}`);
  }
  for (const w of waits) {
    if (w.client === "proxmoxer") continue;
    const want = w.client === "pve-client+expectedMs" ? "hint" : w.run > 0 ? "guest" : undefined;
    if (want)
      expect(
        w.estimate?.source === want,
        `${w.client} run ${w.run} of ${w.durationMs} ms used ${w.estimate?.source ?? "no"} estimate, not ${want}`,
      );
  }
}

export const taskWait: Scenario<WaitRaw> = {
  id: "tasks",
  title: "Task waiting (scenario 3)",
  async run(ctx) {
    const s = byMode(ctx.mode, waitSettings);
    const sim = await spawnSim({
      extraGuests: 100,
      caFile: join(ctx.tmpDir, "sim-ca.pem"),
    });
    const connect = { baseUrl: sim.url, token: sim.token.value, tls: { ca: sim.ca } };
    const estimates: Estimates = new Map();
    const logger = estimateLogger(estimates);
    const admin = new Client({ ...connect, taskHistory: false });
    const learning = new Client({ ...connect, logger });
    const hinted = new Client({ ...connect, logger });
    const log = new RequestLog(sim);
    const waits: Wait[] = [];
    try {
      const series: Series = {
        learning,
        hinted,
        admin,
        guests: await pickGuests(admin),
        estimates,
      };
      let running = true;
      for (const { durationMs: d, runs } of s.tiers) {
        const action = running ? "stop" : "start";
        running = !running;
        const [measured, reset] = action === "stop" ? ["qmstop", "qmstart"] : ["qmstart", "qmstop"];
        await sim.admin("POST", "/_sim/durations", { [measured]: d, [reset]: RESET_MS });
        const tier: Wait[] = [];
        for (let run = 0; run < runs; run++) {
          const round = await runRound(sim, series, log, d, action, run);
          tier.push(...round);
          const w = round.find((x) => x.client === "pve-client");
          const e = w?.estimate;
          ctx.log(
            `  ${d} ms run ${run}: pve-client expected ${e?.ms?.toFixed(0) ?? "-"} ms (${e?.source ?? "?"}), ` +
              `${w?.statusRequests} polls, ${w?.lagMs.toFixed(0)} ms lag`,
          );
        }
        waits.push(...tier);
        const of = (c: Wait["client"]) => tier.filter((w) => w.client === c);
        const say = (c: Wait["client"]) =>
          `${c} ${median(of(c).map((w) => w.lagMs)).toFixed(0)} ms lag, ` +
          `${median(of(c).map((w) => w.statusRequests))} polls`;
        const first = of("pve-client")[0];
        ctx.log(
          `${d} ms tasks: ${say("pve-client")} (first wait ${first?.lagMs.toFixed(0)} ms, ` +
            `${first?.statusRequests} polls); ${say("pve-client+expectedMs")}; ${say("proxmoxer")}`,
        );
      }
    } finally {
      await Promise.all([admin.close(), learning.close(), hinted.close()]);
      await sim.close();
    }
    return {
      rows: waitRows(
        waits,
        s.tiers.map((t) => t.durationMs),
      ),
      raw: { waits },
    };
  },
};
