// Guest configuration helpers shared by the handlers: PVE's names and paths per guest type, the volume keys of a
// config, mount point parsing, and the config digest.
import { createHash } from "node:crypto";
import { parsePropertyString } from "../schema/property-string.js";
import type { GuestConfig, GuestRecord, GuestType } from "./model.js";

/** "CT" or "VM", as guest_type() answers ("CT is locked (backup)"). */
export const typeName = (type: GuestType): string => (type === "lxc" ? "CT" : "VM");

/** The flock file lock_config uses. */
export const lockPath = (type: GuestType, vmid: number): string =>
  type === "lxc"
    ? `/run/lock/lxc/pve-config-${vmid}.lock`
    : `/var/lock/qemu-server/lock-${vmid}.conf`;

/** The cluster-filesystem path load_config names when a config does not exist. */
export const confPath = (type: GuestType, vmid: number, node: string): string =>
  type === "lxc" ? `nodes/${node}/lxc/${vmid}.conf` : `nodes/${node}/qemu-server/${vmid}.conf`;

export const VOLID_RE = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i;
/** $NEW_DISK_RE: "local-lvm:8" or "8" asks for a new volume of that many GiB. */
export const NEW_DISK_RE = /^(?:([^/:\s]+):)?(\d+(?:\.\d+)?)$/;

const QEMU_DISK_RE = /^(ide|sata|scsi|virtio)\d+$|^efidisk0$|^tpmstate0$/;

/** Volume-carrying keys of a config in PVE's order: rootfs first, then mpN / disks by number. */
export function volumeKeys(type: GuestType, config: GuestConfig): string[] {
  const keys = Object.keys(config);
  const num = (k: string): number => Number(/\d+$/.exec(k)?.[0] ?? 0);
  if (type === "lxc") {
    const mps = keys.filter((k) => /^mp\d+$/.test(k)).sort((a, b) => num(a) - num(b));
    return [...(config.rootfs !== undefined ? ["rootfs"] : []), ...mps];
  }
  return keys.filter((k) => QEMU_DISK_RE.test(k)).sort();
}

export interface MountPoint {
  volume: string;
  mp?: string;
  size?: string;
  backup?: string;
  type: "volume" | "bind" | "device";
  options: Record<string, string>;
}

/** Parses rootfs / mpN; `type` as PVE classifies it (volume id, bind mount or device). */
export function parseMountPoint(value: string): MountPoint {
  const options = parsePropertyString(value, "volume");
  const volume = options.volume ?? "";
  const type = volume.startsWith("/dev/") ? "device" : volume.startsWith("/") ? "bind" : "volume";
  const mp: MountPoint = { volume, type, options };
  if (options.mp !== undefined) mp.mp = options.mp;
  if (options.size !== undefined) mp.size = options.size;
  if (options.backup !== undefined) mp.backup = options.backup;
  return mp;
}

/** Parses a qemu disk (scsi0 …): the volume and its options. */
export function parseQemuDisk(value: string): { volume: string; options: Record<string, string> } {
  const options = parsePropertyString(value, "file");
  return { volume: options.file ?? options.volume ?? "", options };
}

/** The SHA-1 digest of the config "file", as GET …/config reports it and PUT checks it. */
export function configDigest(guest: GuestRecord): string {
  const lines = Object.keys(guest.config)
    .filter((k) => k !== "digest")
    .sort()
    .map((k) => `${k}: ${guest.config[k]}`);
  for (const snap of guest.snapshots.values())
    lines.push(`[${snap.name}]`, `snaptime: ${snap.snaptime}`);
  return createHash("sha1").update(lines.join("\n")).digest("hex");
}

/** The config keys a snapshot copies (everything but lock, parent, digest and pending). */
export function snapshotCopy(config: GuestConfig): GuestConfig {
  const copy: GuestConfig = {};
  for (const [k, v] of Object.entries(config))
    if (!["lock", "parent", "digest"].includes(k)) copy[k] = v;
  return copy;
}
