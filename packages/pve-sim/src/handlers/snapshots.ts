// Snapshot create / delete / rollback for containers and VMs (AbstractConfig snapshot_create, snapshot_delete,
// snapshot_rollback): locks 'snapshot', 'snapshot-delete' and 'rollback' while they run.
import type { SimCore } from "../core.js";
import { dieError } from "../errors.js";
import { snapshotCopy } from "../state/guest-config.js";
import type { GuestRecord, GuestType } from "../state/model.js";
import type { TaskContext } from "../tasks/context.js";
import {
  checkLock,
  flockPath,
  isTemplate,
  loadGuest,
  removeLock,
  setLock,
  setRunning,
} from "./guests.js";
import type { Handler } from "./types.js";
import { num, startTask, str } from "./types.js";

/** Creates snapshot `name` inside a running task; used by the snapshot API and by vzdump's snapshot mode. */
export async function createSnapshot(
  core: SimCore,
  ctx: TaskContext,
  type: GuestType,
  vmid: number,
  name: string,
  description: string | undefined,
  share = 1,
): Promise<void> {
  const timeout = core.options.lockTimeoutMs;
  await ctx.withLock(flockPath({ type, vmid }), timeout, () => {
    const g = loadGuest(core, type, vmid);
    if (isTemplate(g)) throw dieError("you can't take a snapshot if it's a template\n");
    checkLock(g);
    if (g.snapshots.has(name)) throw dieError(`snapshot name '${name}' already used\n`);
    g.config.lock = "snapshot";
    const snap = {
      name,
      snaptime: Math.floor(core.clock.now() / 1000),
      snapstate: "prepare" as const,
      config: snapshotCopy(g.config),
    };
    const withParent =
      g.config.parent !== undefined ? { ...snap, parent: String(g.config.parent) } : snap;
    g.snapshots.set(name, description ? { ...withParent, description } : withParent);
    core.state.changed();
  });
  try {
    await ctx.step(0.8 * share);
  } catch (err) {
    ctx.log("snapshot create failed: starting cleanup");
    const g = core.state.guest(vmid);
    if (g) {
      g.snapshots.delete(name);
      removeLock(core, g, "snapshot");
    }
    throw err;
  }
  await ctx.withLock(flockPath({ type, vmid }), timeout, () => {
    const g = loadGuest(core, type, vmid);
    if (g.config.lock !== "snapshot") throw dieError("missing snapshot lock\n");
    const snap = g.snapshots.get(name);
    if (!snap) throw dieError(`snapshot '${name}' does not exist\n`);
    delete snap.snapstate;
    delete g.config.lock;
    g.config.parent = name;
    core.state.changed();
  });
}

/** Removes snapshot `name` (lock 'snapshot-delete' unless `underLock` names the lock already held). */
export async function deleteSnapshot(
  core: SimCore,
  ctx: TaskContext,
  g: GuestRecord,
  name: string,
  share = 1,
  underLock?: string,
): Promise<void> {
  if (!g.snapshots.has(name)) throw dieError(`snapshot '${name}' does not exist\n`);
  const lock = underLock ?? "snapshot-delete";
  if (!underLock)
    await ctx.withLock(flockPath(g), core.options.lockTimeoutMs, () => setLock(core, g, lock));
  const snap = g.snapshots.get(name);
  if (snap) snap.snapstate = "delete";
  await ctx.step(share);
  const parent = snap?.parent;
  if (g.config.parent === name) {
    if (parent) g.config.parent = parent;
    else delete g.config.parent;
  }
  for (const other of g.snapshots.values()) {
    if (other.parent !== name) continue;
    if (parent) other.parent = parent;
    else delete other.parent;
  }
  g.snapshots.delete(name);
  if (!underLock) removeLock(core, g, lock);
  core.state.changed();
}

const create =
  (type: GuestType): Handler =>
  (req) => {
    const { core, params } = req;
    const name = str(params.snapname) ?? "";
    if (name === "current" || name === "vzdump")
      throw dieError(`unable to use snapshot name '${name}' (reserved name)\n`);
    const vmid = num(params.vmid) ?? 0;
    return startTask(req, {
      type: type === "lxc" ? "vzsnapshot" : "qmsnapshot",
      id: String(vmid),
      run: (ctx) => createSnapshot(core, ctx, type, vmid, name, str(params.description)),
    });
  };

const remove =
  (type: GuestType): Handler =>
  (req) => {
    const { core, params } = req;
    const vmid = num(params.vmid) ?? 0;
    const name = str(params.snapname) ?? "";
    return startTask(req, {
      type: type === "lxc" ? "vzdelsnapshot" : "qmdelsnapshot",
      id: String(vmid),
      run: (ctx) => deleteSnapshot(core, ctx, loadGuest(core, type, vmid), name),
    });
  };

const rollback =
  (type: GuestType): Handler =>
  (req) => {
    const { core, params } = req;
    const vmid = num(params.vmid) ?? 0;
    const name = str(params.snapname) ?? "";
    const startAfter = Number(params.start ?? 0) === 1;
    const timeout = core.options.lockTimeoutMs;
    return startTask(req, {
      type: type === "lxc" ? "vzrollback" : "qmrollback",
      id: String(vmid),
      run: async (ctx) => {
        const path = flockPath({ type, vmid });
        await ctx.withLock(path, timeout, () => {
          const g = loadGuest(core, type, vmid);
          if (isTemplate(g)) throw dieError("you can't rollback if vm is a template\n");
          const snap = g.snapshots.get(name);
          if (!snap) throw dieError(`snapshot '${name}' does not exist\n`);
          if (snap.snapstate)
            throw dieError(
              `unable to rollback to incomplete snapshot (snapstate = ${snap.snapstate})\n`,
            );
          checkLock(g);
          if (g.status === "running") setRunning(core, g, false);
          g.config.lock = "rollback";
          core.state.changed();
        });
        await ctx.step(0.8);
        await ctx.withLock(path, timeout, () => {
          const g = loadGuest(core, type, vmid);
          if (g.config.lock !== "rollback") throw dieError("got wrong lock\n");
          const snap = g.snapshots.get(name);
          if (!snap) throw dieError(`snapshot '${name}' does not exist\n`);
          g.config = { ...snap.config, parent: name };
          core.state.changed();
        });
        if (startAfter) {
          await ctx.step(0.2);
          const g = loadGuest(core, type, vmid);
          if (g.status !== "running") setRunning(core, g, true);
        }
      },
    });
  };

export const snapshotHandlers: Record<string, Handler> = {};
for (const type of ["lxc", "qemu"] as const) {
  snapshotHandlers[`POST /nodes/{node}/${type}/{vmid}/snapshot`] = create(type);
  snapshotHandlers[`DELETE /nodes/{node}/${type}/{vmid}/snapshot/{snapname}`] = remove(type);
  snapshotHandlers[`POST /nodes/{node}/${type}/{vmid}/snapshot/{snapname}/rollback`] =
    rollback(type);
}
