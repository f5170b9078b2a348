// Typed pieces of guest configurations that PVE writes as property strings (network devices, mount points,
// disks, features), and the tables that convert their values from the strings PVE sends.
import { LXC_NET_KEYS } from "@felhom/grammar";
import { splitList, toBool, toNumber } from "./record.js";
import { parsePropertyString } from "./property-string.js";

type PropKind = "string" | "number" | "boolean" | "list";

/** Converts the values of known keys; unknown keys are dropped (the raw string stays in `config.raw`). */
function typed(
  raw: Record<string, string>,
  kinds: Readonly<Record<string, PropKind>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const kind = kinds[k];
    if (kind === undefined) continue;
    if (kind === "string") out[k] = v;
    else if (kind === "number") {
      const n = toNumber(v);
      if (n !== undefined) out[k] = n;
    } else if (kind === "boolean") {
      const b = toBool(v);
      if (b !== undefined) out[k] = b;
    } else out[k] = splitList(v);
  }
  return out;
}

/** An LXC network device, `net[n]`. */
export interface LxcNet {
  name: string;
  bridge?: string;
  hwaddr?: string;
  ip?: string;
  ip6?: string;
  gw?: string;
  gw6?: string;
  firewall?: boolean;
  link_down?: boolean;
  "host-managed"?: boolean;
  mtu?: number;
  rate?: number;
  tag?: number;
  trunks?: string;
  type?: string;
}
const LXC_NET: Readonly<Record<string, PropKind>> = LXC_NET_KEYS;
export function parseLxcNet(s: string): LxcNet {
  return { name: "", ...typed(parsePropertyString(s), LXC_NET) };
}

/** The container's root filesystem, `rootfs`. */
export interface LxcRootfs {
  volume: string;
  size?: string;
  acl?: boolean;
  ro?: boolean;
  quota?: boolean;
  replicate?: boolean;
  shared?: boolean;
  mountoptions?: string[];
}
/** A container mount point, `mp[n]`. `backup` absent means PVE's default (not included in backups). */
export interface LxcMountPoint extends LxcRootfs {
  mp: string;
  backup?: boolean;
  keepattrs?: boolean;
}
const LXC_MOUNT: Record<string, PropKind> = {
  volume: "string",
  mp: "string",
  size: "string",
  acl: "boolean",
  backup: "boolean",
  ro: "boolean",
  quota: "boolean",
  replicate: "boolean",
  shared: "boolean",
  keepattrs: "boolean",
  mountoptions: "list",
};
export function parseLxcRootfs(s: string): LxcRootfs {
  return { volume: "", ...typed(parsePropertyString(s, "volume"), LXC_MOUNT) };
}
export function parseLxcMountPoint(s: string): LxcMountPoint {
  return {
    volume: "",
    mp: "",
    ...typed(parsePropertyString(s, "volume"), LXC_MOUNT),
  };
}

/** Container features, `features`. */
export interface LxcFeatures {
  nesting?: boolean;
  keyctl?: boolean;
  fuse?: boolean;
  mknod?: boolean;
  force_rw_sys?: boolean;
  mount?: string[];
}
export function parseLxcFeatures(s: string): LxcFeatures {
  return typed(parsePropertyString(s), {
    nesting: "boolean",
    keyctl: "boolean",
    fuse: "boolean",
    mknod: "boolean",
    force_rw_sys: "boolean",
    mount: "list",
  });
}

/** A volume reference, `unused[n]`. */
export interface UnusedVolume {
  volume: string;
}
export function parseUnused(s: string): UnusedVolume {
  return { volume: parsePropertyString(s, "volume")["volume"] ?? s };
}

const QEMU_NET_MODELS = new Set([
  "e1000",
  "e1000-82540em",
  "e1000-82544gc",
  "e1000-82545em",
  "e1000e",
  "i82551",
  "i82557b",
  "i82559er",
  "ne2k_isa",
  "ne2k_pci",
  "pcnet",
  "rtl8139",
  "virtio",
  "vmxnet3",
]);

/** A QEMU network device, `net[n]` (`virtio=AA:BB:…,bridge=vmbr0` or `model=virtio,macaddr=…`). */
export interface QemuNet {
  model: string;
  macaddr?: string;
  bridge?: string;
  firewall?: boolean;
  link_down?: boolean;
  mtu?: number;
  queues?: number;
  rate?: number;
  tag?: number;
  trunks?: string;
}
export function parseQemuNet(s: string): QemuNet {
  const raw = parsePropertyString(s, "model");
  let model = raw["model"] ?? "";
  let macaddr = raw["macaddr"];
  for (const [k, v] of Object.entries(raw)) {
    if (QEMU_NET_MODELS.has(k)) {
      model = k;
      macaddr = v || macaddr;
    }
  }
  const rest = typed(raw, {
    bridge: "string",
    firewall: "boolean",
    link_down: "boolean",
    mtu: "number",
    queues: "number",
    rate: "number",
    tag: "number",
    trunks: "string",
  });
  return { model, ...(macaddr ? { macaddr } : {}), ...rest };
}

/** A QEMU disk (`scsi0`, `virtio1`, `efidisk0`, …). */
export interface QemuDisk {
  volume: string;
  size?: string;
  media?: string;
  format?: string;
  cache?: string;
  discard?: string;
  backup?: boolean;
  replicate?: boolean;
  iothread?: boolean;
  ssd?: boolean;
  ro?: boolean;
}
export function parseQemuDisk(s: string): QemuDisk {
  const raw = parsePropertyString(s, "file");
  const rest = typed(raw, {
    size: "string",
    media: "string",
    format: "string",
    cache: "string",
    discard: "string",
    backup: "boolean",
    replicate: "boolean",
    iothread: "boolean",
    ssd: "boolean",
    ro: "boolean",
  });
  return { volume: raw["file"] ?? "", ...rest };
}
