// Guest configurations (GET …/lxc|qemu/{vmid}/config) as typed objects: scalar options normalised, and
// indexed keys (`net0`, `mp3`, `unused1`, `scsi0`) collected into maps instead of fixed slots.
import { z } from "zod";
import {
  parseLxcFeatures,
  parseLxcMountPoint,
  parseLxcNet,
  parseLxcRootfs,
  parseQemuDisk,
  parseQemuNet,
  parseUnused,
  type LxcFeatures,
  type LxcMountPoint,
  type LxcNet,
  type LxcRootfs,
  type QemuDisk,
  type QemuNet,
  type UnusedVolume,
} from "./config-parts.js";
import { indexedKey, parsePropertyString } from "./property-string.js";
import { splitList, toBool, toNumber } from "./record.js";

interface CommonConfig {
  /** SHA-1 of the config file; pass it back as `digest` to refuse concurrent edits. */
  digest?: string;
  description?: string;
  /** The config lock (backup, snapshot, …) while one is held. */
  lock?: string;
  onboot?: boolean;
  protection?: boolean;
  template?: boolean;
  startup?: string;
  tags?: string[];
  cores?: number;
  cpulimit?: number;
  cpuunits?: number;
  /** MiB */
  memory?: number;
  ostype?: string;
  /** Every key as PVE sent it (strings; raw `lxc` entries as given). */
  raw: Record<string, unknown>;
  /** `unused[n]` volumes by index. */
  unused: Record<number, UnusedVolume>;
}

export interface LxcConfig extends CommonConfig {
  kind: "lxc";
  hostname?: string;
  arch?: string;
  /** MiB */
  swap?: number;
  unprivileged?: boolean;
  console?: boolean;
  tty?: number;
  cmode?: string;
  nameserver?: string;
  searchdomain?: string;
  timezone?: string;
  hookscript?: string;
  features?: LxcFeatures;
  rootfs?: LxcRootfs;
  /** `net[n]` by index. */
  net: Record<number, LxcNet>;
  /** `mp[n]` by index. */
  mp: Record<number, LxcMountPoint>;
  /** `dev[n]` passthrough devices by index, as key/value maps. */
  dev: Record<number, Record<string, string>>;
}

export interface QemuConfig extends CommonConfig {
  kind: "qemu";
  name?: string;
  sockets?: number;
  vcpus?: number;
  cpu?: string;
  /** MiB; 0 disables the balloon device. */
  balloon?: number;
  numa?: boolean;
  agent?: { enabled: boolean } & Record<string, string | boolean>;
  boot?: string;
  bios?: string;
  machine?: string;
  scsihw?: string;
  /** `net[n]` by index. */
  net: Record<number, QemuNet>;
  /** Disks by their key (`scsi0`, `virtio1`, `ide2`, `efidisk0`, `tpmstate0`, …). */
  disks: Record<string, QemuDisk>;
  /** `ipconfig[n]` cloud-init network settings by index. */
  ipconfig: Record<number, Record<string, string>>;
}

const Raw = z.record(z.string(), z.unknown());

const COMMON_NUM = ["cores", "cpulimit", "cpuunits", "memory"] as const;
const COMMON_BOOL = ["onboot", "protection", "template"] as const;
const COMMON_STR = ["digest", "description", "lock", "startup", "ostype"] as const;

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

function assign(
  out: Record<string, unknown>,
  raw: Record<string, unknown>,
  keys: readonly string[],
  conv: (v: unknown) => unknown,
) {
  for (const k of keys) {
    const v = conv(raw[k]);
    if (v !== undefined) out[k] = v;
  }
}

function common(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { raw, unused: {} };
  assign(out, raw, COMMON_STR, str);
  assign(out, raw, COMMON_BOOL, toBool);
  assign(out, raw, COMMON_NUM, toNumber);
  const tags = str(raw["tags"]);
  if (tags !== undefined) out["tags"] = splitList(tags);
  return out;
}

export function toLxcConfig(raw: Record<string, unknown>): LxcConfig {
  const out = common(raw);
  assign(
    out,
    raw,
    ["hostname", "arch", "cmode", "nameserver", "searchdomain", "timezone", "hookscript"],
    str,
  );
  assign(out, raw, ["unprivileged", "console"], toBool);
  assign(out, raw, ["swap", "tty"], toNumber);
  const net: Record<number, LxcNet> = {};
  const mp: Record<number, LxcMountPoint> = {};
  const dev: Record<number, Record<string, string>> = {};
  const unused: Record<number, UnusedVolume> = {};
  for (const [k, v] of Object.entries(raw)) {
    const s = str(v);
    if (s === undefined) continue;
    if (k === "features") out["features"] = parseLxcFeatures(s);
    else if (k === "rootfs") out["rootfs"] = parseLxcRootfs(s);
    const ik = indexedKey(k);
    if (!ik) continue;
    if (ik.prefix === "net") net[ik.index] = parseLxcNet(s);
    else if (ik.prefix === "mp") mp[ik.index] = parseLxcMountPoint(s);
    else if (ik.prefix === "unused") unused[ik.index] = parseUnused(s);
    else if (ik.prefix === "dev") dev[ik.index] = parsePropertyString(s, "path");
  }
  return { ...out, kind: "lxc", net, mp, dev, unused } as LxcConfig;
}

const QEMU_DISK = /^(?:ide|sata|scsi|virtio)\d+$|^(?:efidisk|tpmstate)0$/;

export function toQemuConfig(raw: Record<string, unknown>): QemuConfig {
  const out = common(raw);
  assign(out, raw, ["name", "cpu", "boot", "bios", "machine", "scsihw"], str);
  assign(out, raw, ["numa"], toBool);
  assign(out, raw, ["sockets", "vcpus", "balloon"], toNumber);
  const memory = str(raw["memory"]);
  if (memory !== undefined) {
    const current = toNumber(parsePropertyString(memory, "current")["current"]);
    if (current !== undefined) out["memory"] = current;
  }
  const agent = str(raw["agent"]);
  if (agent !== undefined) {
    const a: Record<string, string | boolean> = parsePropertyString(agent, "enabled");
    out["agent"] = { ...a, enabled: toBool(a["enabled"]) ?? false };
  }
  const net: Record<number, QemuNet> = {};
  const disks: Record<string, QemuDisk> = {};
  const ipconfig: Record<number, Record<string, string>> = {};
  const unused: Record<number, UnusedVolume> = {};
  for (const [k, v] of Object.entries(raw)) {
    const s = str(v);
    if (s === undefined) continue;
    if (QEMU_DISK.test(k)) {
      disks[k] = parseQemuDisk(s);
      continue;
    }
    const ik = indexedKey(k);
    if (!ik) continue;
    if (ik.prefix === "net") net[ik.index] = parseQemuNet(s);
    else if (ik.prefix === "unused") unused[ik.index] = parseUnused(s);
    else if (ik.prefix === "ipconfig") ipconfig[ik.index] = parsePropertyString(s);
  }
  return { ...out, kind: "qemu", net, disks, ipconfig, unused } as QemuConfig;
}

export const LxcConfigSchema = Raw.transform(toLxcConfig);
export const QemuConfigSchema = Raw.transform(toQemuConfig);
