// The typed shape of configuration changes (memory, cores, network, options, mount points) and their
// encoding into PVE's parameters. A mount point must say whether vzdump includes it: `backup` has no default.
import type { LxcNetKey } from "@felhom/grammar";
import { PveArgumentError } from "./errors.js";
import type { ParamValue } from "./request.js";
import { formatPropertyString } from "./schemas/property-string.js";

/** The keys of an LXC `net[n]` the client sets (a subset of the grammar's LXC_NET_KEYS, checked by type). */
export const LXC_NET_CHANGE_KEYS = [
  "name",
  "bridge",
  "hwaddr",
  "ip",
  "ip6",
  "gw",
  "gw6",
  "firewall",
  "link_down",
  "mtu",
  "rate",
  "tag",
] as const satisfies readonly LxcNetKey[];

/** An LXC network device to set, `net[n]`: exactly the keys of LXC_NET_CHANGE_KEYS. */
export interface LxcNetChange {
  /** Interface name inside the container, e.g. `eth0`. */
  name: string;
  bridge: string;
  /** Leave out to let PVE pick a MAC. */
  hwaddr?: string;
  /** `dhcp`, `manual` or an IPv4 CIDR. */
  ip?: string;
  ip6?: string;
  gw?: string;
  gw6?: string;
  firewall?: boolean;
  link_down?: boolean;
  mtu?: number;
  rate?: number;
  tag?: number;
}

/** Compile-time: LxcNetChange has exactly the keys of LXC_NET_CHANGE_KEYS. */
type ChangeKey = (typeof LXC_NET_CHANGE_KEYS)[number];
const NET_KEYS_MATCH: [keyof LxcNetChange] extends [ChangeKey]
  ? [ChangeKey] extends [keyof LxcNetChange]
    ? true
    : never
  : never = true;
void NET_KEYS_MATCH;

/**
 * A container mount point to set, `mp[n]`. `backup` is required: a bulk data volume must be `backup: false`,
 * or vzdump sweeps it into every guest backup.
 */
export interface MountPointChange {
  /** `STORAGE:VOLUME` of an existing volume, or `STORAGE:SIZE_GIB` to allocate one. */
  volume: string;
  /** Path inside the container. */
  mp: string;
  backup: boolean;
  size?: string;
  acl?: boolean;
  ro?: boolean;
  quota?: boolean;
  replicate?: boolean;
  shared?: boolean;
  mountoptions?: readonly ("discard" | "lazytime" | "noatime" | "nodev" | "noexec" | "nosuid")[];
}

interface CommonChanges {
  /** MiB */
  memory?: number;
  cores?: number;
  cpulimit?: number;
  cpuunits?: number;
  description?: string;
  onboot?: boolean;
  protection?: boolean;
  /** `order=N,up=N,down=N` */
  startup?: string;
  tags?: readonly string[];
  /** Option keys to remove (e.g. `mp1`, `description`). A `null` entry in `net`/`mp` does the same. */
  delete?: readonly string[];
  /** Refuse the change if the config changed since it was read with this digest. */
  digest?: string;
}

export interface LxcConfigChanges extends CommonChanges {
  hostname?: string;
  /** MiB */
  swap?: number;
  nameserver?: string;
  searchdomain?: string;
  timezone?: string;
  /** By index; `null` deletes the device. */
  net?: Readonly<Record<number, LxcNetChange | null>>;
  /** By index; `null` deletes (detaches) the mount point. */
  mp?: Readonly<Record<number, MountPointChange | null>>;
}

export type QemuNetModel = "virtio" | "e1000" | "e1000e" | "rtl8139" | "vmxnet3";

/** A QEMU network device to set, `net[n]`. */
export interface QemuNetChange {
  model: QemuNetModel;
  bridge: string;
  macaddr?: string;
  firewall?: boolean;
  link_down?: boolean;
  mtu?: number;
  queues?: number;
  rate?: number;
  tag?: number;
}

export interface QemuConfigChanges extends CommonChanges {
  name?: string;
  sockets?: number;
  /** MiB; 0 disables ballooning. */
  balloon?: number;
  /** By index; `null` deletes the device. */
  net?: Readonly<Record<number, QemuNetChange | null>>;
}

const DELETABLE = /^[a-z][a-z0-9_-]*$/i;

function indexed<T>(
  prefix: string,
  map: Readonly<Record<number, T | null>> | undefined,
  encode: (v: T) => string,
  out: Record<string, ParamValue>,
  deletes: string[],
): void {
  if (!map) return;
  for (const [k, v] of Object.entries<T | null>(map)) {
    if (!/^\d{1,3}$/.test(k)) throw new PveArgumentError(prefix, `bad index ${JSON.stringify(k)}`);
    if (v === null) deletes.push(`${prefix}${k}`);
    else out[`${prefix}${k}`] = encode(v);
  }
}

function commonParams(c: CommonChanges): { out: Record<string, ParamValue>; deletes: string[] } {
  const out: Record<string, ParamValue> = {
    memory: c.memory,
    cores: c.cores,
    cpulimit: c.cpulimit,
    cpuunits: c.cpuunits,
    description: c.description,
    onboot: c.onboot,
    protection: c.protection,
    startup: c.startup,
    tags: c.tags?.join(";"),
    digest: c.digest,
  };
  return { out, deletes: [...(c.delete ?? [])] };
}

function finish(out: Record<string, ParamValue>, deletes: string[]): Record<string, ParamValue> {
  for (const d of deletes)
    if (!DELETABLE.test(d)) throw new PveArgumentError("delete", JSON.stringify(d));
  if (deletes.length) out["delete"] = deletes.join(",");
  if (Object.values(out).every((v) => v === undefined)) {
    throw new PveArgumentError("changes", "nothing to change");
  }
  return out;
}

export function encodeLxcNet(n: LxcNetChange): string {
  const { name, bridge, ...rest } = n;
  return formatPropertyString({ name, bridge, ...rest });
}

export function encodeMountPoint(m: MountPointChange): string {
  if (typeof m.backup !== "boolean") {
    throw new PveArgumentError("mp.backup", "every mount point must say backup: true or false");
  }
  const { volume, mp, backup, mountoptions, ...rest } = m;
  return formatPropertyString(
    { volume, mp, backup, ...rest, mountoptions: mountoptions?.join(";") },
    "volume",
  );
}

export function encodeQemuNet(n: QemuNetChange): string {
  const { model, macaddr, ...rest } = n;
  // PVE's own form: `virtio=AA:BB:…` when a MAC is given, the bare model otherwise.
  if (macaddr !== undefined) return formatPropertyString({ [model]: macaddr, ...rest });
  return formatPropertyString({ model, ...rest }, "model");
}

export function lxcChangeParams(c: LxcConfigChanges): Record<string, ParamValue> {
  const { out, deletes } = commonParams(c);
  Object.assign(out, {
    hostname: c.hostname,
    swap: c.swap,
    nameserver: c.nameserver,
    searchdomain: c.searchdomain,
    timezone: c.timezone,
  });
  indexed("net", c.net, encodeLxcNet, out, deletes);
  indexed("mp", c.mp, encodeMountPoint, out, deletes);
  return finish(out, deletes);
}

export function qemuChangeParams(c: QemuConfigChanges): Record<string, ParamValue> {
  const { out, deletes } = commonParams(c);
  Object.assign(out, { name: c.name, sockets: c.sockets, balloon: c.balloon });
  indexed("net", c.net, encodeQemuNet, out, deletes);
  return finish(out, deletes);
}
