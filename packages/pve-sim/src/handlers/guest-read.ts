// Guest reads: the lxc and qemu lists, status/current, GET config (current or a snapshot) and the snapshot list.
import { dieError, paramError } from "../errors.js";
import { configDigest } from "../state/guest-config.js";
import { listEntry, statusCurrent } from "../state/guest-view.js";
import type { GuestType } from "../state/model.js";
import { loadGuest } from "./guests.js";
import type { Handler } from "./types.js";
import { num, str } from "./types.js";

const list =
  (type: GuestType): Handler =>
  ({ core, authid }) => {
    const { state } = core;
    const now = core.clock.now();
    const data: unknown[] = [];
    for (const g of state.guests.values()) {
      if (g.type !== type || !state.access.check(authid, `/vms/${g.vmid}`, ["VM.Audit"], true))
        continue;
      data.push(listEntry(g, now, state.node.cpus));
    }
    return { data };
  };

const current =
  (type: GuestType): Handler =>
  ({ core, params }) => {
    const g = loadGuest(core, type, num(params.vmid) ?? 0);
    return { data: statusCurrent(g, core.clock.now(), core.state.node.cpus) };
  };

const config =
  (type: GuestType): Handler =>
  ({ core, params }) => {
    const snapname = str(params.snapshot);
    if (snapname && Number(params.current ?? 0) === 1) {
      const msg = "cannot use 'snapshot' parameter with 'current'";
      throw paramError({ snapshot: msg, current: msg });
    }
    const g = loadGuest(core, type, num(params.vmid) ?? 0);
    const digest = configDigest(g);
    if (snapname) {
      const snap = g.snapshots.get(snapname);
      if (!snap) throw dieError(`snapshot '${snapname}' does not exist\n`);
      const data: Record<string, unknown> = { ...snap.config, digest, snaptime: snap.snaptime };
      if (snap.description) data.description = snap.description;
      if (snap.parent) data.parent = snap.parent;
      return { data };
    }
    return { data: { ...g.config, digest } };
  };

const snapshots =
  (type: GuestType): Handler =>
  ({ core, params }) => {
    const g = loadGuest(core, type, num(params.vmid) ?? 0);
    const data: Array<Record<string, unknown>> = [];
    for (const s of g.snapshots.values()) {
      const item: Record<string, unknown> = {
        name: s.name,
        snaptime: s.snaptime || 0,
        description: s.description ?? "",
      };
      if (s.parent !== undefined) item.parent = s.parent;
      if (s.snapstate) item.snapstate = s.snapstate;
      if (type === "qemu") item.vmstate = 0;
      data.push(item);
    }
    const here: Record<string, unknown> = {
      name: "current",
      digest: configDigest(g),
      running: g.status === "running" ? 1 : 0,
      description: "You are here!",
    };
    if (g.config.parent !== undefined) here.parent = g.config.parent;
    data.push(here);
    return { data };
  };

export const guestReadHandlers: Record<string, Handler> = {
  "GET /nodes/{node}/lxc": list("lxc"),
  "GET /nodes/{node}/qemu": list("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/status/current": current("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/status/current": current("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/config": config("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/config": config("qemu"),
  "GET /nodes/{node}/lxc/{vmid}/snapshot": snapshots("lxc"),
  "GET /nodes/{node}/qemu/{vmid}/snapshot": snapshots("qemu"),
};
