// Which privilege each config option needs: check_ct_modify_config_perm (pve-container) and a compact version
// of qemu-server's check_vm_modify_config_perm, including the root@pam-only feature flags and bridge access.
import type { AccessControl } from "../auth/access.js";
import { permError } from "../errors.js";
import { parsePropertyString } from "../schema/property-string.js";
import { NEW_DISK_RE, parseMountPoint } from "../state/guest-config.js";
import type { SimState } from "../state/state.js";
import { canAccessVolume } from "./storage.js";
import { text } from "../text.js";

/** check_bridge_access / check_vnet_access for one network property string. */
export function checkBridgeAccess(access: AccessControl, authid: string, net: string): void {
  if (authid === "root@pam") return;
  const n = parsePropertyString(net);
  const bridge = n.bridge;
  if (!bridge) return;
  const base = `/sdn/zones/localnetwork/${bridge}`;
  if (n.tag) access.check(authid, `${base}/${n.tag}`, ["SDN.Use"]);
  if (n.trunks)
    for (const t of n.trunks.split(";")) access.check(authid, `${base}/${t}`, ["SDN.Use"]);
  if (!n.tag && !n.trunks) access.check(authid, base, ["SDN.Use"]);
}

const featureMap = (v: unknown): Record<string, string> => (v ? parsePropertyString(text(v)) : {});

/** The container rule set; `oldconf` undefined for create/restore. */
export function checkCtModifyConfigPerm(
  state: SimState,
  authid: string,
  vmid: number,
  oldconf: Record<string, unknown> | undefined,
  newconf: Record<string, unknown>,
  deleted: readonly string[],
  unprivileged: boolean,
): void {
  if (authid === "root@pam") return;
  const { access } = state;
  const vm = `/vms/${vmid}`;
  const check = (opt: string, isDelete: boolean): void => {
    if (["cores", "cpuunits", "cpulimit"].includes(opt))
      access.check(authid, vm, ["VM.Config.CPU"]);
    else if (opt === "rootfs" || /^mp\d+$/.test(opt)) {
      access.check(authid, vm, ["VM.Config.Disk"]);
      if (isDelete) return;
      const mp = parseMountPoint(text(newconf[opt]));
      if (mp.type !== "volume")
        throw permError(`mount point type ${mp.type} is only allowed for root@pam`);
      const m = NEW_DISK_RE.exec(mp.volume);
      if (m) access.check(authid, `/storage/${m[1] ?? "local"}`, ["Datastore.AllocateSpace"]);
      else {
        const found = state.findVolume(mp.volume);
        if (
          found &&
          found.volume.vmid !== vmid &&
          !canAccessVolume(access, authid, found.storage.id, found.volume)
        )
          throw permError(`/storage/${found.storage.id}, Datastore.Audit`);
      }
    } else if (opt === "memory" || opt === "swap") access.check(authid, vm, ["VM.Config.Memory"]);
    else if (/^net\d+$/.test(opt)) {
      access.check(authid, vm, ["VM.Config.Network"]);
      if (oldconf?.[opt] !== undefined) checkBridgeAccess(access, authid, text(oldconf[opt]));
      if (newconf[opt] !== undefined) checkBridgeAccess(access, authid, text(newconf[opt]));
    } else if (/^dev\d+$/.test(opt))
      throw permError("configuring device passthrough is only allowed for root@pam");
    else if (["nameserver", "searchdomain", "hostname"].includes(opt))
      access.check(authid, vm, ["VM.Config.Network"]);
    else if (opt === "features") {
      if (!unprivileged)
        throw permError(
          "changing feature flags for privileged container is only allowed for root@pam",
        );
      const next = isDelete ? {} : featureMap(newconf[opt]);
      const old = featureMap(oldconf?.[opt]);
      let nesting = false;
      let other = false;
      if (!isDelete && oldconf?.[opt]) {
        for (const f of new Set([...Object.keys(old), ...Object.keys(next)])) {
          if ((old[f] ?? "") === (next[f] ?? "")) continue;
          if (f === "nesting") nesting = true;
          else other = true;
        }
      } else {
        const keys = Object.keys(isDelete ? old : next);
        if (keys.length === 1 && keys[0] === "nesting") nesting = true;
        else if (keys.length > 0) other = true;
      }
      if (other)
        throw permError("changing feature flags (except nesting) is only allowed for root@pam");
      if (nesting) access.check(authid, vm, ["VM.Allocate"]);
    } else if (opt === "hookscript")
      throw permError("changing the hookscript is only allowed for root@pam");
    else access.check(authid, vm, ["VM.Config.Options"]);
  };
  for (const opt of Object.keys(newconf)) check(opt, false);
  for (const opt of deleted) check(opt, true);
}

const QEMU_PRIV: Array<[RegExp, string]> = [
  [/^(memory|balloon|shares|hugepages|keephugepages|allow-ksm)$/, "VM.Config.Memory"],
  [/^(cores|sockets|vcpus|cpu|cpulimit|cpuunits|numa|numa\d+|affinity)$/, "VM.Config.CPU"],
  [/^net\d+$/, "VM.Config.Network"],
  [/^((ide|sata|scsi|virtio)\d+|efidisk0|tpmstate0|unused\d+)$/, "VM.Config.Disk"],
  [/^(cdrom)$/, "VM.Config.CDROM"],
  [/^(ci\w+|ipconfig\d+|sshkeys|nameserver|searchdomain)$/, "VM.Config.Cloudinit"],
  [
    /^(hostpci\d+|usb\d+|serial\d+|parallel\d+|vga|audio0|rng0|watchdog|machine|bios|scsihw|tablet|keyboard)$/,
    "VM.Config.HWType",
  ],
];

/** check_vm_modify_config_perm, condensed: one privilege per option family. */
export function checkVmModifyConfigPerm(
  access: AccessControl,
  authid: string,
  vmid: number,
  keys: readonly string[],
): void {
  for (const key of keys) {
    if (["digest", "delete", "revert", "skiplock", "background_delay", "force"].includes(key))
      continue;
    const priv = QEMU_PRIV.find(([re]) => re.test(key))?.[1] ?? "VM.Config.Options";
    access.check(authid, `/vms/${vmid}`, [priv]);
  }
}
