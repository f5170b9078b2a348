// Storage reads: GET /nodes/{node}/storage (status of each storage) and …/storage/{storage}/content, with
// PVE's per-volume access filter (check_volume_access).
import type { AccessControl } from "../auth/access.js";
import { dieError } from "../errors.js";
import { splitList } from "../schema/formats.js";
import type { StorageRecord, VolumeRecord } from "../state/model.js";
import type { SimState } from "../state/state.js";
import type { Handler } from "./types.js";
import { num, str } from "./types.js";

export function storageSummary(
  state: SimState,
  s: StorageRecord,
): { content: string; total: number; used: number; avail: number } {
  const used = Math.min(
    s.total,
    state.storageUsed(s) + (s.type === "dir" ? Math.floor(state.node.rootfsTotal * 0.12) : 0),
  );
  return { content: [...s.content].sort().join(","), total: s.total, used, avail: s.total - used };
}

/** check_volume_access without a vmid: may `authid` see (and use) this volume? */
export function canAccessVolume(
  access: AccessControl,
  authid: string,
  storage: string,
  vol: VolumeRecord,
): boolean {
  if (access.check(authid, `/storage/${storage}`, ["Datastore.Allocate"], true)) return true;
  if (vol.content === "iso" || vol.content === "vztmpl")
    return access.checkAny(
      authid,
      `/storage/${storage}`,
      ["Datastore.AllocateSpace", "Datastore.Audit"],
      true,
    );
  if (vol.content === "backup" && vol.vmid !== undefined)
    return (
      access.check(authid, `/storage/${storage}`, ["Datastore.AllocateSpace"], true) &&
      access.check(authid, `/vms/${vol.vmid}`, ["VM.Backup"], true)
    );
  if ((vol.content === "images" || vol.content === "rootdir") && vol.vmid !== undefined)
    return (
      access.check(authid, `/storage/${storage}`, ["Datastore.Audit"], true) &&
      access.check(authid, `/vms/${vol.vmid}`, ["VM.Config.Disk"], true)
    );
  return false;
}

const nodeStorages: Handler = ({ core, authid, params }) => {
  const { state } = core;
  const wanted = str(params.content) ? new Set(splitList(str(params.content) ?? "")) : undefined;
  const only = str(params.storage);
  const data = [...state.storages.values()]
    .filter((s) => !only || s.id === only)
    .filter((s) => !wanted || s.content.some((c) => wanted.has(c)))
    .filter((s) =>
      state.access.checkAny(
        authid,
        `/storage/${s.id}`,
        ["Datastore.Audit", "Datastore.AllocateSpace"],
        true,
      ),
    )
    .map((s) => {
      const sum = storageSummary(state, s);
      return {
        storage: s.id,
        type: s.type,
        content: sum.content,
        active: 1,
        enabled: 1,
        shared: 0,
        total: sum.total,
        used: sum.used,
        avail: sum.avail,
        used_fraction: Number((sum.used / sum.total).toFixed(6)),
      };
    });
  return { data };
};

const content: Handler = ({ core, authid, params }) => {
  const { state } = core;
  const id = str(params.storage) ?? "";
  const s = state.storages.get(id);
  if (!s) throw dieError(`storage '${id}' does not exist\n`);
  const type = str(params.content);
  const vmid = num(params.vmid);
  const data = [...s.volumes.values()]
    .filter((v) => (!type || v.content === type) && (vmid === undefined || v.vmid === vmid))
    .filter((v) => canAccessVolume(state.access, authid, id, v))
    .sort((a, b) => a.volid.toLowerCase().localeCompare(b.volid.toLowerCase()))
    .map((v) => {
      const item: Record<string, unknown> = {
        volid: v.volid,
        content: v.content,
        format: v.format,
        size: v.size,
        ctime: v.ctime,
      };
      if (v.vmid !== undefined) item.vmid = v.vmid;
      if (v.subtype) item.subtype = v.subtype;
      if (v.notes) item.notes = v.notes.split("\n")[0];
      if (v.protected) item.protected = 1;
      if (v.content === "images" || v.content === "rootdir") item.used = Math.floor(v.size * 0.35);
      return item;
    });
  return { data };
};

export const storageHandlers: Record<string, Handler> = {
  "GET /nodes/{node}/storage": nodeStorages,
  "GET /nodes/{node}/storage/{storage}/content": content,
};
