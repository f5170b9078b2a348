// Typed pieces of guest configurations that PVE writes as property strings (network devices, mount points,
// disks, features), and the tables that convert their values from the strings PVE sends.
import { LXC_NET_KEYS } from "@felhom/grammar";
import { parsePropertyString } from "./property-string.js";
import { record, t } from "./record.js";

type PropKind = "string" | "number" | "boolean" | "list";
type Typed = (raw: Record<string, string>) => Record<string, unknown>;

/**
 * Compiles a key → kind table into a lenient record parser over a parsed property string: values of known keys
 * converted (one that does not convert is dropped), unknown keys dropped (the raw string stays in `config.raw`).
 */
function typed(kinds: Readonly<Record<string, PropKind>>): Typed {
  const spec = Object.fromEntries(Object.entries(kinds).map(([k, kind]) => [k, t.lenient[kind]]));
  const parse = record(spec, { others: "drop" });
  return (raw) => parse(raw, [], []) ?? {};
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
const lxcNet = typed(LXC_NET_KEYS);
export function parseLxcNet(s: string): LxcNet {
  return { name: "", ...lxcNet(parsePropertyString(s)) };
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
const lxcMount = typed({
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
});
export function parseLxcRootfs(s: string): LxcRootfs {
  return { volume: "", ...lxcMount(parsePropertyString(s, "volume")) };
}
export function parseLxcMountPoint(s: string): LxcMountPoint {
  return {
    volume: "",
    mp: "",
    ...lxcMount(parsePropertyString(s, "volume")),
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
const lxcFeatures = typed({
  nesting: "boolean",
  keyctl: "boolean",
  fuse: "boolean",
  mknod: "boolean",
  force_rw_sys: "boolean",
  mount: "list",
});
export function parseLxcFeatures(s: string): LxcFeatures {
  return lxcFeatures(parsePropertyString(s));
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
const qemuNet = typed({
  bridge: "string",
  firewall: "boolean",
  link_down: "boolean",
  mtu: "number",
  queues: "number",
  rate: "number",
  tag: "number",
  trunks: "string",
});
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
  return { model, ...(macaddr ? { macaddr } : {}), ...qemuNet(raw) };
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
const qemuDisk = typed({
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
export function parseQemuDisk(s: string): QemuDisk {
  const raw = parsePropertyString(s, "file");
  const volume = raw["file"] ?? "";
  return { volume, ...qemuDisk(raw) };
}
