// Volume ids as the create/restore and vzdump code sees them: content type from the volume name, the archive's
// path on disk, and check_volume_access with a content type (the synchronous permission check of a restore).
import type { AccessControl } from "../auth/access.js";
import { dieError } from "../errors.js";
import { VOLID_RE } from "../state/guest-config.js";
import type { ContentType, StorageRecord } from "../state/model.js";
import type { SimState } from "../state/state.js";

/** parse_volname's vtype for the directory layout ("backup/…", "vztmpl/…", "iso/…"), else images. */
export function volumeType(volid: string): ContentType {
  const name = VOLID_RE.exec(volid)?.[2] ?? "";
  const dir = name.split("/")[0];
  return dir === "backup" || dir === "vztmpl" || dir === "iso" ? dir : "images";
}

/** The file behind a dir-storage volume, as task logs print it. */
export function volumePath(storage: StorageRecord | undefined, volid: string): string {
  const name = VOLID_RE.exec(volid)?.[2] ?? volid;
  const base = storage?.path ?? "/var/lib/vz";
  if (name.startsWith("backup/")) return `${base}/dump/${name.slice(7)}`;
  if (name.startsWith("vztmpl/")) return `${base}/template/cache/${name.slice(7)}`;
  if (name.startsWith("iso/")) return `${base}/template/iso/${name.slice(4)}`;
  return `${base}/images/${name}`;
}

/** The guest a backup belongs to, from "vzdump-lxc-100-…". */
export function backupOwner(volid: string): number | undefined {
  const m = /vzdump-(?:lxc|qemu|openvz)-(\d+)-/.exec(volid);
  return m ? Number(m[1]) : undefined;
}

/** check_volume_access($rpcenv, $user, $cfg, $vmid, $volid, $type). */
export function checkVolumeAccess(
  state: SimState,
  access: AccessControl,
  authid: string,
  vmid: number,
  volid: string,
  type: ContentType,
): void {
  const m = VOLID_RE.exec(volid);
  if (!m) {
    if (authid !== "root@pam")
      throw dieError(
        "Only root can pass arbitrary filesystem paths. at /usr/share/perl5/PVE/Storage.pm line 666.\n",
      );
    return;
  }
  const sid = m[1] ?? "";
  if (!state.storages.has(sid)) throw dieError(`storage '${sid}' does not exist\n`);
  const vtype = volumeType(volid);
  if (vtype !== type && !(type === "rootdir" && vtype === "images"))
    throw dieError(`unable to use volume ${volid} - content type needs to be '${type}'\n`);
  if (access.check(authid, `/storage/${sid}`, ["Datastore.Allocate"], true)) return;
  const owner = vtype === "backup" ? backupOwner(volid) : state.findVolume(volid)?.volume.vmid;
  if (vtype === "iso" || vtype === "vztmpl")
    access.checkAny(authid, `/storage/${sid}`, ["Datastore.AllocateSpace", "Datastore.Audit"]);
  else if (owner !== undefined && owner === vmid) return;
  else if (vtype === "backup" && owner !== undefined) {
    access.check(authid, `/storage/${sid}`, ["Datastore.AllocateSpace"]);
    access.check(authid, `/vms/${owner}`, ["VM.Backup"]);
  } else if (owner !== undefined) {
    access.check(authid, `/storage/${sid}`, ["Datastore.Audit"]);
    access.check(authid, `/vms/${owner}`, ["VM.Config.Disk"]);
  } else throw dieError(`missing privileges to access ${volid}\n`);
}
