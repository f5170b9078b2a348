// Shared guest helpers for handlers: loading a config the way load_config fails, lock checks, flock paths.
import type { SimCore } from "../core.js";
import { dieError } from "../errors.js";
import { confPath, lockPath, typeName } from "../state/guest-config.js";
import type { GuestRecord, GuestType } from "../state/model.js";

/** load_config: the guest of that type, or "Configuration file 'nodes/pve/lxc/105.conf' does not exist". */
export function loadGuest(core: SimCore, type: GuestType, vmid: number): GuestRecord {
  const g = core.state.guest(vmid);
  if (!g || g.type !== type)
    throw dieError(
      `Configuration file '${confPath(type, vmid, core.state.node.name)}' does not exist\n`,
    );
  return g;
}

/** check_lock: "CT is locked (backup)" / "VM is locked (snapshot)". */
export function checkLock(g: GuestRecord): void {
  if (g.config.lock !== undefined && g.config.lock !== "")
    throw dieError(`${typeName(g.type)} is locked (${g.config.lock})\n`);
}

export const flockPath = (g: { type: GuestType; vmid: number }): string => lockPath(g.type, g.vmid);

/** set_lock: check_lock, then write the lock. */
export function setLock(core: SimCore, g: GuestRecord, lock: string): void {
  checkLock(g);
  g.config.lock = lock;
  core.state.changed();
}

/** remove_lock, tolerant of a lock already gone. */
export function removeLock(core: SimCore, g: GuestRecord, lock?: string): void {
  if (g.config.lock !== undefined && (lock === undefined || g.config.lock === lock)) {
    delete g.config.lock;
    core.state.changed();
  }
}

export function setRunning(core: SimCore, g: GuestRecord, running: boolean): void {
  g.status = running ? "running" : "stopped";
  if (running) g.startedAtMs = core.clock.now();
  else delete g.startedAtMs;
  core.state.changed();
}

export const isTemplate = (g: GuestRecord): boolean => Number(g.config.template ?? 0) === 1;
