// The simulator in its own process, driven over IPC by sim-remote.ts, so the workload's memory figures are the
// client's alone and the simulator's bookkeeping (recorded requests, tasks, restored guests) does not count.
import { startSim } from "@felhom/pve-sim";
import type { FaultRule, Sim } from "@felhom/pve-sim";
import type { SimCommand, SimChildOptions, CompactRequest, CompactTask } from "./sim-protocol.js";

const options = JSON.parse(process.argv[2] ?? "{}") as SimChildOptions;
const sim: Sim = await startSim({ ...options.sim, quiet: true });
const handles: Array<{ hits: number }> = [];

function rule(r: SimChildOptions["faults"][number]): FaultRule {
  const out: FaultRule = { kind: r.kind };
  if (r.method !== undefined) out.method = r.method;
  if (r.pathRegex !== undefined) out.path = new RegExp(r.pathRegex);
  if (r.probability !== undefined) out.probability = r.probability;
  if (r.times !== undefined) out.times = r.times;
  return out;
}

function requests(from: number): CompactRequest[] {
  const out: CompactRequest[] = [];
  for (const r of sim.requests) {
    if (r.seq < from) continue;
    out.push({
      seq: r.seq,
      method: r.method,
      path: r.path,
      at: r.at,
      applied: r.applied,
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.upid === undefined ? {} : { upid: r.upid }),
    });
  }
  return out;
}

function tasks(): CompactTask[] {
  return sim.state.tasks.all().map((t) => ({
    upid: t.upid,
    status: t.status,
    ...(t.exitstatus === undefined ? {} : { exitstatus: t.exitstatus }),
  }));
}

/** Removes a guest the workload restored (an operator's `pct destroy`), with its volumes; leaves a busy one. */
function reap(vmid: number): "removed" | "absent" | "busy" {
  const g = sim.state.guest(vmid);
  if (!g) return "absent";
  if (g.config.lock !== undefined || g.status !== "stopped") return "busy";
  for (const s of sim.state.storages.values())
    for (const v of [...s.volumes.values()])
      if (v.vmid === vmid && v.content !== "backup") sim.state.removeVolume(v.volid);
  return sim.state.removeGuest(vmid) ? "removed" : "absent";
}

/** Keeps the newest `keep` backup archives (the workload makes hundreds). */
function pruneBackups(keep: number): number {
  const all = sim.state.backups();
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const v of old) sim.state.removeVolume(v.volid);
  return old.length;
}

async function handle(cmd: SimCommand): Promise<unknown> {
  switch (cmd.cmd) {
    case "faults":
      return options.faults.map((r) => handles.push(sim.faults.add(rule(r))) - 1);
    case "clearFaults":
      sim.faults.clear();
      return null;
    case "hits":
      return handles.map((h) => h.hits);
    case "requests":
      return requests(cmd.from);
    case "requestCount":
      return sim.requests.length;
    case "tasks":
      return tasks();
    case "drain": {
      // Waits (bounded) until no task is running.
      const until = Date.now() + cmd.timeoutMs;
      while (Date.now() < until && sim.state.tasks.all().some((t) => t.status === "running"))
        await new Promise((r) => setTimeout(r, 20));
      return sim.state.tasks.all().filter((t) => t.status === "running").length;
    }
    case "guests":
      return [...sim.state.guests.values()].map((g) => ({
        vmid: g.vmid,
        type: g.type,
        status: g.status,
        ...(g.config.lock === undefined ? {} : { lock: String(g.config.lock) }),
        snapshots: [...g.snapshots.keys()],
      }));
    case "backups":
      return sim.state.backups().map((v) => ({
        volid: v.volid,
        vmid: v.vmid ?? 0,
        type: v.subtype ?? v.backup?.guestType ?? "",
      }));
    case "reap":
      return reap(cmd.vmid);
    case "pruneBackups":
      return pruneBackups(cmd.keep);
    case "rss":
      return process.memoryUsage.rss();
  }
}

process.on("message", (raw) => {
  const cmd = raw as SimCommand & { id: number };
  handle(cmd).then(
    (value) => process.send?.({ id: cmd.id, ok: true, value }),
    (err: unknown) =>
      process.send?.({
        id: cmd.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      }),
  );
});
process.on("disconnect", () => void sim.close().finally(() => process.exit(0)));
process.send?.({
  ready: { url: sim.url, node: sim.node, fingerprint256: sim.fingerprint256, token: sim.token },
});
