// Scenario 3, task waiting: QEMU start/stop tasks lasting 0.2 s, 1 s, 5 s and 30 s in the simulator (real
// clock). The pve-client's waitTask and proxmoxer's blocking_status each start and wait for their own tasks,
// concurrently; lag = when the wait returned − when the task ended; status requests counted by the simulator.
import { join } from "node:path";
import { Client } from "@felhom/pve-client";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim, type SimProcess } from "../lib/sim-process.js";
import { RequestLog, type RecordedRequest } from "../lib/sim-requests.js";
import { median } from "../lib/stats.js";
import { prepareProxmoxerWaits, type WaitJob } from "./task-wait-proxmoxer.js";
import { waitRows } from "./task-wait-rows.js";

export const waitSettings = {
  full: { runs: 10, durationsMs: [200, 1000, 5000, 30_000] },
  quick: { runs: 3, durationsMs: [200, 1000, 5000, 30_000] },
  smoke: { runs: 2, durationsMs: [200] },
};

export interface Wait {
  /** "pve-client+expectedMs": waitTask given the task's duration as its `expectedMs` hint. */
  client: "pve-client" | "pve-client+expectedMs" | "proxmoxer";
  durationMs: number;
  vmid: number;
  upid: string;
  /** Estimated end: when the simulator received the start request, plus the task's duration. */
  endMs: number;
  returnedMs: number;
  lagMs: number;
  statusRequests: number;
}

export interface WaitRaw {
  waits: Wait[];
}

/** Running QEMU guests among the synthetic ones: each wait gets its own guest (no lock contention). */
async function pickGuests(client: Client, n: number): Promise<number[]> {
  const list = await client.clusterResources({ type: "vm" });
  const ids = list
    .filter((r) => r.type === "qemu" && r.status === "running" && (r.vmid ?? 0) >= 1000)
    .map((r) => r.vmid as number)
    .slice(0, n);
  expect(ids.length === n, `the simulator has ${ids.length} running synthetic VMs, ${n} needed`);
  return ids;
}

function statusPolls(recorded: RecordedRequest[], upid: string): number {
  return recorded.filter((r) => {
    if (r.method !== "GET") return false;
    const path = decodeURIComponent(r.path);
    return path.includes(upid) && path.endsWith("/status");
  }).length;
}

/** A client per wait, so that concurrent waits do not queue behind each other on one pool. */
function newClient(sim: SimProcess): Client {
  return new Client({ baseUrl: sim.url, token: sim.token.value, tls: { ca: sim.ca } });
}

async function nodeWait(
  sim: SimProcess,
  vmid: number,
  action: "start" | "stop",
  opts: { timeoutMs: number; expectedMs?: number },
): Promise<{ vmid: number; upid: string; returnedMs: number }> {
  const client = newClient(sim);
  try {
    const upid = await client[action](sim.node, "qemu", vmid);
    const outcome = await client.waitTask(upid, opts);
    const returnedMs = Date.now();
    expect(outcome.status === "ok", `pve-client wait for ${upid.raw} ended ${outcome.status}`);
    return { vmid, upid: upid.raw, returnedMs };
  } finally {
    await client.close();
  }
}

async function runGroup(
  sim: SimProcess,
  client: Client,
  log: RequestLog,
  durationMs: number,
  action: "start" | "stop",
  guests: { node: number[]; hinted: number[]; python: number[] },
): Promise<Wait[]> {
  await sim.admin("POST", "/_sim/durations", {
    [action === "start" ? "qmstart" : "qmstop"]: durationMs,
  });
  const jobs: WaitJob[] = guests.python.map((vmid) => ({ vmid, action }));
  const python = await prepareProxmoxerWaits(sim, jobs);
  await log.mark();
  const timeoutMs = durationMs * 3 + 60_000;
  const [fromPython, fromNode, fromHinted] = await Promise.all([
    python.go(),
    Promise.all(guests.node.map((vmid) => nodeWait(sim, vmid, action, { timeoutMs }))),
    Promise.all(
      guests.hinted.map((vmid) =>
        nodeWait(sim, vmid, action, { timeoutMs, expectedMs: durationMs }),
      ),
    ),
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
    waits.push({
      client: who,
      durationMs,
      ...w,
      endMs,
      lagMs: w.returnedMs - endMs,
      statusRequests: statusPolls(recorded, w.upid),
    });
  };
  for (const w of fromNode) add("pve-client", w);
  for (const w of fromHinted) add("pve-client+expectedMs", w);
  for (const w of fromPython) {
    expect(w.exitstatus === "OK", `proxmoxer wait for ${w.upid} ended ${w.status} ${w.exitstatus}`);
    add("proxmoxer", w);
  }
  // The estimate must agree with the simulator's own end time (whole seconds): a wrong estimate fails loudly.
  const history = await client.taskList(sim.node, { limit: 1000, source: "archive" });
  for (const w of waits) {
    const endtime = history.find((t) => t.upid === w.upid)?.endtime ?? -1;
    expect(
      endtime >= Math.floor(w.endMs / 1000) && endtime <= Math.floor((w.endMs + 250) / 1000),
      `task ${w.upid} ended at ${endtime} s, estimated ${w.endMs} ms`,
    );
    expect(w.lagMs > -5, `${w.client} returned ${-w.lagMs} ms before the task's estimated end`);
    expect(w.statusRequests >= 1, `${w.client} made no status request for ${w.upid}`);
  }
  return waits;
}

export const taskWait: Scenario<WaitRaw> = {
  id: "tasks",
  title: "Task waiting (scenario 3)",
  async run(ctx) {
    const s = byMode(ctx.mode, waitSettings);
    const sim = await spawnSim({
      extraGuests: Math.max(100, s.runs * 18),
      caFile: join(ctx.tmpDir, "sim-ca.pem"),
    });
    const client = new Client({ baseUrl: sim.url, token: sim.token.value, tls: { ca: sim.ca } });
    const log = new RequestLog(sim);
    const waits: Wait[] = [];
    try {
      const ids = await pickGuests(client, s.runs * 3);
      const guests = {
        node: ids.slice(0, s.runs),
        hinted: ids.slice(s.runs, 2 * s.runs),
        python: ids.slice(2 * s.runs),
      };
      let running = true;
      for (const d of s.durationsMs) {
        const group = await runGroup(sim, client, log, d, running ? "stop" : "start", guests);
        running = !running;
        waits.push(...group);
        const of = (c: Wait["client"]) => group.filter((w) => w.client === c);
        const say = (c: Wait["client"]) =>
          `${c} ${median(of(c).map((w) => w.lagMs)).toFixed(0)} ms lag, ` +
          `${median(of(c).map((w) => w.statusRequests))} polls`;
        ctx.log(
          `${d} ms tasks: ${say("pve-client")}; ${say("pve-client+expectedMs")}; ${say("proxmoxer")}`,
        );
      }
    } finally {
      await client.close();
      await sim.close();
    }
    return { rows: waitRows(waits, s.durationsMs), raw: { waits } };
  },
};
