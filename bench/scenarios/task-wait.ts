// Scenario 3, task waiting: QEMU start/stop tasks lasting 0.2 s, 1 s, 5 s and 30 s in the simulator (real
// clock). Four series wait side by side, one guest each: the pve-client in a fresh process per wait as the CLI
// runs it (with its defaults, which read the guest's earlier runs from PVE's task list; with that read off, the
// plain schedule; and told the duration), and proxmoxer. Lag = when the wait returned − when the task ended;
// status requests counted by the simulator; the task-list read's time and bytes.
import { join } from "node:path";
import undici from "undici";
import { Client } from "@felhom/pve-client";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim, type SimProcess } from "../lib/sim-process.js";
import { RequestLog, type RecordedRequest } from "../lib/sim-requests.js";
import { median } from "../lib/stats.js";
import { prepareProxmoxerWaits } from "./task-wait-proxmoxer.js";
import { prepareClientWait, type ClientWait, type ClientWaitJob } from "./task-wait-process.js";
import { waitRows } from "./task-wait-rows.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { Agent, request } = undici;
type Agent = InstanceType<typeof Agent>;

export interface WaitTier {
  durationMs: number;
  /** Waits per series, one after another: the first is predicted (if at all) from the tier before. */
  runs: number;
}

const tiers = (...t: [number, number][]): WaitTier[] =>
  t.map(([durationMs, runs]) => ({ durationMs, runs }));

/**
 * Quick runs 5 waits up to 5 s, so that the median is a wait with a task-list estimate (the first two have
 * no two earlier runs of that duration yet), and 2 at 30 s to stay within its time budget.
 */
export const waitSettings = {
  full: { tiers: tiers([200, 10], [1000, 10], [5000, 10], [30_000, 10]) },
  quick: { tiers: tiers([200, 5], [1000, 5], [5000, 5], [30_000, 2]) },
  smoke: { tiers: tiers([200, 2]) },
};

/** How long the task that puts a guest back into place takes (not measured). */
const RESET_MS = 50;

/** The pve-client series, each a fresh process per wait: what it passes to waitTask. */
const NODE_SERIES = {
  /** Defaults: the expected duration from the guest's earlier runs in the task list. */
  "pve-client": {},
  /** The task-list read off: the plain schedule, as every CLI wait ran before. */
  "pve-client, plain": { estimateFromTaskList: false },
  /** The task's duration as the `expectedMs` hint. */
  "pve-client+expectedMs": {},
} as const;
type NodeSeries = keyof typeof NODE_SERIES;

export interface Wait {
  client: NodeSeries | "proxmoxer";
  durationMs: number;
  /** Index among the waits of this duration and series; 0 is the first at this duration. */
  run: number;
  vmid: number;
  upid: string;
  /** Estimated end: when the simulator received the start request, plus the task's duration. */
  endMs: number;
  returnedMs: number;
  lagMs: number;
  statusRequests: number;
  /** Task-list reads the wait made (the estimate's cost in requests). */
  listRequests: number;
  /** The pve-client's expected duration for this wait, where it came from, and the list read's time. */
  estimate?: { source: string; ms?: number; listMs?: number };
  /** Bytes of the task-list answer (its body, read again after the round with the same parameters). */
  listBytes?: number;
}

export interface WaitRaw {
  waits: Wait[];
}

type Guests = Record<Wait["client"], number>;

/** Running QEMU guests among the synthetic ones: one per series (no lock contention between series). */
async function pickGuests(client: Client): Promise<Guests> {
  const list = await client.clusterResources({ type: "vm" });
  const ids = list
    .filter((r) => r.type === "qemu" && r.status === "running" && (r.vmid ?? 0) >= 1000)
    .map((r) => r.vmid as number);
  const [a, b, c, d] = ids;
  expect(d !== undefined, `the simulator has ${ids.length} running synthetic VMs, 4 needed`);
  return {
    "pve-client": a as number,
    "pve-client, plain": b as number,
    "pve-client+expectedMs": c as number,
    proxmoxer: d,
  };
}

const decoded = (r: RecordedRequest): string => decodeURIComponent(r.path);

function statusPolls(recorded: RecordedRequest[], upid: string): number {
  return recorded.filter((r) => {
    if (r.method !== "GET") return false;
    const path = decoded(r);
    return path.includes(upid) && path.endsWith("/status");
  }).length;
}

function listReads(recorded: RecordedRequest[], node: string, vmid: number): RecordedRequest[] {
  return recorded.filter(
    (r) =>
      r.method === "GET" &&
      decoded(r) === `/nodes/${node}/tasks` &&
      String(r.params?.vmid) === String(vmid),
  );
}

/** The size of the task-list answer to these parameters, read again with raw undici. */
async function listBodyBytes(
  sim: SimProcess,
  dispatcher: Agent,
  params: Record<string, unknown>,
): Promise<number> {
  const query = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const res = await request(`${sim.url}/api2/json/nodes/${sim.node}/tasks?${query}`, {
    dispatcher,
    headers: { authorization: `PVEAPIToken=${sim.token.value}` },
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  expect(res.statusCode === 200, `task list read again answered ${res.statusCode}`);
  return body.length;
}

/** Brings a guest into the state the measured action needs, with a short task the series do not see. */
async function putInPlace(
  sim: SimProcess,
  admin: Client,
  vmid: number,
  action: "start" | "stop",
): Promise<void> {
  const { status } = await admin.guestStatus(sim.node, "qemu", vmid);
  const opts = { timeoutMs: 60_000, estimateFromTaskList: false };
  if (action === "start" && status !== "stopped")
    await admin.run(admin.stop(sim.node, "qemu", vmid), opts);
  if (action === "stop" && status !== "running")
    await admin.run(admin.start(sim.node, "qemu", vmid), opts);
}

/** One wait per series, side by side, for a task of `durationMs`. */
async function runRound(
  sim: SimProcess,
  admin: Client,
  raw: Agent,
  guests: Guests,
  log: RequestLog,
  durationMs: number,
  action: "start" | "stop",
  run: number,
): Promise<Wait[]> {
  const timeoutMs = durationMs * 3 + 60_000;
  const job = (series: NodeSeries): ClientWaitJob => ({
    vmid: guests[series],
    action,
    wait: {
      timeoutMs,
      ...NODE_SERIES[series],
      ...(series === "pve-client+expectedMs" ? { expectedMs: durationMs } : {}),
    },
  });
  const names = Object.keys(NODE_SERIES) as NodeSeries[];
  const [python, ...nodes] = await Promise.all([
    prepareProxmoxerWaits(sim, [{ vmid: guests.proxmoxer, action }]),
    ...names.map((n) => prepareClientWait(sim, job(n))),
    ...Object.values(guests).map((vmid) => putInPlace(sim, admin, vmid, action)),
  ]);
  const procs = nodes.slice(0, names.length) as Awaited<ReturnType<typeof prepareClientWait>>[];
  await log.mark();
  const [fromPython, ...fromNode] = await Promise.all([
    python.go(),
    ...procs.map((p) => p.go()),
  ]).catch((err: unknown) => {
    python.kill();
    for (const p of procs) p.kill();
    throw err;
  });
  const recorded = await log.take();
  const waits: Wait[] = [];
  const add = async (
    who: Wait["client"],
    w: { vmid: number; upid: string; returnedMs: number },
    estimate?: ClientWait["estimate"],
  ): Promise<void> => {
    const post = recorded.find((r) => r.method === "POST" && r.upid === w.upid);
    expect(post !== undefined, `the simulator recorded no start request for ${w.upid}`);
    const endMs = post.at + durationMs;
    const lists = listReads(recorded, sim.node, w.vmid);
    const first = lists[0];
    waits.push({
      client: who,
      durationMs,
      run,
      vmid: w.vmid,
      upid: w.upid,
      returnedMs: w.returnedMs,
      endMs,
      lagMs: w.returnedMs - endMs,
      statusRequests: statusPolls(recorded, w.upid),
      listRequests: lists.length,
      ...(estimate
        ? {
            estimate: {
              source: estimate.source,
              ...(estimate.expectedMs ? { ms: estimate.expectedMs } : {}),
              ...(estimate.listMs !== undefined ? { listMs: estimate.listMs } : {}),
            },
          }
        : {}),
      ...(first?.params ? { listBytes: await listBodyBytes(sim, raw, first.params) } : {}),
    });
  };
  for (const [i, name] of names.entries()) {
    const w = fromNode[i] as ClientWait;
    await add(name, w, w.estimate);
  }
  for (const w of fromPython) {
    expect(w.exitstatus === "OK", `proxmoxer wait for ${w.upid} ended ${w.status} ${w.exitstatus}`);
    await add("proxmoxer", w);
  }
  await checkRound(sim, admin, waits);
  return waits;
}

/** What each series must have expected: the default one, its guest's earlier runs once two of them last 2 s+. */
function wantedSource(w: Wait): string | undefined {
  if (w.client === "pve-client+expectedMs") return "hint";
  if (w.client === "pve-client, plain") return "none";
  if (w.client !== "pve-client") return undefined;
  if (w.durationMs < 2000) return "none";
  return w.run >= 2 ? "tasks" : undefined;
}

/** Fails loudly when an estimate, a count or the estimate's source is not what the round claims. */
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
    // at most once, and only the default series (a wait that ends first may abandon it before it is sent)
    const reads = w.client === "pve-client" ? 1 : 0;
    expect(w.listRequests <= reads, `${w.client} read the task list ${w.listRequests} times`);
    const want = wantedSource(w);
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
    const admin = new Client({ baseUrl: sim.url, token: sim.token.value, tls: { ca: sim.ca } });
    const raw = new Agent({ connect: { ca: sim.ca } });
    const log = new RequestLog(sim);
    const waits: Wait[] = [];
    try {
      const guests = await pickGuests(admin);
      let running = true;
      for (const { durationMs: d, runs } of s.tiers) {
        const action = running ? "stop" : "start";
        running = !running;
        const [measured, reset] = action === "stop" ? ["qmstop", "qmstart"] : ["qmstart", "qmstop"];
        await sim.admin("POST", "/_sim/durations", { [measured]: d, [reset]: RESET_MS });
        const tier: Wait[] = [];
        for (let run = 0; run < runs; run++) {
          const round = await runRound(sim, admin, raw, guests, log, d, action, run);
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
        ctx.log(
          `${d} ms tasks: ${say("pve-client")}; ${say("pve-client, plain")}; ` +
            `${say("pve-client+expectedMs")}; ${say("proxmoxer")}`,
        );
      }
    } finally {
      await Promise.all([admin.close(), raw.close()]);
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
