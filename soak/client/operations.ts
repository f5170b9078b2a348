// The operation mix of the client soak, called through the agent's routing facade (which hands every API
// operation to the pve-client): reads of every kind, restores, backups in both modes, snapshots and rollbacks,
// start/stop/shutdown and config changes. Each planned call reserves its `METHOD /path` key so that two calls
// with the same key never overlap, which lets the resend check map the simulator's records to calls.
import type { ProxmoxHost } from "@felhom/agent";
import { ops, type PveRequest, type Upid } from "@felhom/pve-client";
import type { Rng } from "@felhom/test-support/rng";
import type { SecretScan } from "../lib/secret-scan.js";
import type { Model, Target } from "./model.js";
import { describeError, waitFailure, type CallRecord } from "./records.js";

export const WEIGHTS = {
  nodeStatus: 6,
  rrddata: 3,
  clusterResources: 5,
  listGuests: 5,
  guestStatus: 6,
  guestConfig: 6,
  storageList: 3,
  storageContent: 4,
  snapshots: 4,
  taskList: 3,
  backupStop: 4,
  backupSnapshot: 5,
  restore: 4,
  snapshot: 8,
  rollback: 5,
  deleteSnapshot: 5,
  start: 5,
  stop: 4,
  shutdown: 3,
  setConfigLxc: 7,
  setConfigQemu: 5,
} as const;
export type OpName = keyof typeof WEIGHTS;

export interface OpEnv {
  host: ProxmoxHost;
  node: string;
  rng: Rng;
  scan: SecretScan;
  model: Model;
  inflight: Set<string>;
  readDeadlineMs: number;
  waitTimeoutMs: number;
  waitDeadlineMs: number;
}

export interface Plan {
  name: OpName;
  mutating: boolean;
  key?: string;
  run(rec: CallRecord): Promise<void>;
}

const keyOf = (req: PveRequest): string => `${req.method} ${decodeURIComponent(req.path)}`;

async function read(env: OpEnv, rec: CallRecord, fn: () => Promise<unknown>): Promise<void> {
  rec.deadlineMs = env.readDeadlineMs;
  const t0 = performance.now();
  rec.start = Date.now();
  try {
    const value = await fn();
    rec.ok = true;
    if (Array.isArray(value) && value.length === 0) rec.emptyList = true;
  } catch (err) {
    Object.assign(rec, { ok: false, ...describeError(err, env.scan) });
  }
  rec.end = Date.now();
  rec.ms = Math.round(performance.now() - t0);
}

/** Sends a mutating call once, releases its key, then waits for the task it started (if any). */
async function mutate(
  env: OpEnv,
  rec: CallRecord,
  key: string,
  start: () => Promise<Upid | void | undefined>,
): Promise<void> {
  rec.deadlineMs = env.readDeadlineMs;
  const t0 = performance.now();
  rec.start = Date.now();
  let upid: Upid | void | undefined = undefined;
  try {
    upid = await start();
    rec.ok = true;
    rec.httpStatus = 200;
  } catch (err) {
    Object.assign(rec, { ok: false, ...describeError(err, env.scan) });
  }
  rec.end = Date.now();
  rec.ms = Math.round(performance.now() - t0);
  // The key is held a little past the answer so that the next call with it starts in a later millisecond; a call
  // that may have been sent but got no answer holds it longer, so that its request, should it reach the
  // simulator late, cannot be counted against the next call with the same key.
  const hold = !rec.ok && rec.httpStatus === undefined ? 250 : 5;
  await new Promise((r) => setTimeout(r, hold));
  env.inflight.delete(key);
  if (!upid) return;
  rec.upid = upid.raw;
  const acceptWarnings = env.rng.next() < 0.5;
  const w0 = performance.now();
  try {
    const outcome = await env.host.waitTask(upid, {
      timeoutMs: env.waitTimeoutMs,
      acceptWarnings,
      pollMinMs: 25,
      pollMaxMs: 250,
    });
    const ms = Math.round(performance.now() - w0);
    rec.wait =
      outcome.status === "ok"
        ? { kind: "ok", acceptWarnings, ms }
        : { kind: "warnings", acceptWarnings, thrown: false, count: outcome.count, ms };
  } catch (err) {
    rec.wait = waitFailure(err, acceptWarnings, Math.round(performance.now() - w0), env.scan);
  }
}

function reserve(env: OpEnv, req: PveRequest): string | undefined {
  const key = keyOf(req);
  if (env.inflight.has(key)) return undefined;
  env.inflight.add(key);
  return key;
}

const targetsOf = (env: OpEnv, kind?: "lxc" | "qemu"): Target[] =>
  env.model.targets.filter((t) => kind === undefined || t.kind === kind);

/** A call of the named kind on a suitable target, or undefined when none fits right now. */
export function plan(name: OpName, env: OpEnv, n: number): Plan | undefined {
  const { host, node, rng, model } = env;
  const r = (fn: () => Promise<unknown>): Plan => ({
    name,
    mutating: false,
    run: (rec) => read(env, rec, fn),
  });
  const any = rng.pick(targetsOf(env));
  switch (name) {
    case "nodeStatus":
      return r(() => host.nodeStatus());
    case "rrddata":
      return r(() => host.rrddata({ timeframe: "hour" }));
    case "clusterResources":
      return r(() => host.clusterResources({ type: "vm" }));
    case "listGuests":
      return r(() => host.listGuests());
    case "guestStatus":
      return r(() => host.guestStatus(any));
    case "guestConfig":
      return r(() => host.guestConfig(any));
    case "storageList":
      return r(() => host.storageList());
    case "storageContent":
      return r(() => host.storageContent("local", { content: "backup" }));
    case "snapshots":
      return r(() => host.snapshots(any));
    case "taskList":
      return r(() => host.taskList({ limit: 50 }));
    case "backupStop":
    case "backupSnapshot": {
      const o = {
        vmid: any.vmid,
        mode: name === "backupStop" ? ("stop" as const) : ("snapshot" as const),
        storage: "local",
        compress: "zstd" as const,
        notes: `soak ${n}`,
      };
      return mutation(env, name, ops.backup(node, o), () => host.backup(o));
    }
    case "restore": {
      const archive = model.archives.length > 0 ? rng.pick(model.archives) : undefined;
      const vmid = [...model.scratch].find(([, s]) => s === "free")?.[0];
      if (archive === undefined || vmid === undefined) return undefined;
      const o = {
        vmid,
        archive,
        storage: "local-lvm",
        newIdentity: { hostname: `restored-${vmid}` },
      };
      const p = mutation(env, name, ops.restore(node, o), () => host.restore(o));
      if (!p) return undefined;
      model.scratch.set(vmid, "restoring");
      return { ...p, run: (rec) => p.run(rec).finally(() => model.scratch.set(vmid, "used")) };
    }
    case "snapshot": {
      const snap = `s${n}`;
      const o = { description: `soak ${n}` };
      return mutation(env, name, ops.snapshot(node, any.kind, any.vmid, snap, o), () =>
        host.snapshot(any, snap, o),
      );
    }
    case "rollback": {
      const t = rng.pick(
        targetsOf(env)
          .filter((x) => model.snapshotsOf(x).length > 0)
          .concat([any]),
      );
      const snaps = model.snapshotsOf(t);
      if (snaps.length === 0) return undefined;
      const snap = rng.pick(snaps);
      return mutation(env, name, ops.rollback(node, t.kind, t.vmid, snap), () =>
        host.rollback(t, snap),
      );
    }
    case "deleteSnapshot": {
      const t = rng.pick(
        targetsOf(env)
          .filter((x) => model.snapshotsOf(x).length > 0)
          .concat([any]),
      );
      const snaps = model.snapshotsOf(t);
      if (snaps.length === 0) return undefined;
      const snap = rng.pick(snaps);
      const p = mutation(env, name, ops.deleteSnapshot(node, t.kind, t.vmid, snap), () =>
        host.deleteSnapshot(t, snap),
      );
      if (p) model.deleting.add(`${t.vmid}/${snap}`);
      return p;
    }
    case "start": {
      const stopped = targetsOf(env).filter((t) => model.status(t) === "stopped");
      const t = stopped.length > 0 ? rng.pick(stopped) : any;
      return mutation(env, name, ops.start(node, t.kind, t.vmid), () => host.start(t));
    }
    case "stop":
    case "shutdown": {
      const running = targetsOf(env).filter((t) => model.status(t) === "running");
      const t = running.length > 0 ? rng.pick(running) : any;
      if (name === "stop")
        return mutation(env, name, ops.stop(node, t.kind, t.vmid), () => host.stop(t));
      const o = { timeout: 5, forceStop: true };
      return mutation(env, name, ops.shutdown(node, t.kind, t.vmid, o), () => host.shutdown(t, o));
    }
    case "setConfigLxc": {
      const t = rng.pick(targetsOf(env, "lxc"));
      const c = {
        memory: rng.pick([512, 1024, 2048]),
        cores: rng.int(1, 4),
        description: `soak ${n}`,
      };
      return mutation(env, name, ops.setConfig(node, "lxc", t.vmid, c), () =>
        host.setConfig({ vmid: t.vmid, kind: "lxc", changes: c }),
      );
    }
    case "setConfigQemu": {
      const t = rng.pick(targetsOf(env, "qemu"));
      const c = { memory: rng.pick([2048, 4096]), cores: rng.int(1, 4), description: `soak ${n}` };
      return mutation(env, name, ops.setConfig(node, "qemu", t.vmid, c), () =>
        host.setConfig({ vmid: t.vmid, kind: "qemu", changes: c }),
      );
    }
  }
}

function mutation(
  env: OpEnv,
  name: OpName,
  req: PveRequest,
  start: () => Promise<Upid | void | undefined>,
): Plan | undefined {
  const key = reserve(env, req);
  if (key === undefined) return undefined;
  return { name, mutating: true, key, run: (rec) => mutate(env, rec, key, start) };
}
