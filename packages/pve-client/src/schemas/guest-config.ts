// Guest configurations (GET …/lxc|qemu/{vmid}/config) as typed objects: scalar options normalised, and
// indexed keys (`net0`, `mp3`, `unused1`, `scsi0`) collected into maps instead of fixed slots.
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
import { parsePropertyString } from "./property-string.js";
import { record, t, type Infer, type RecordParser, type Spec } from "./record.js";
import { splitList, toBool, toNumber } from "./record-values.js";

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

// Every field is lenient: a config PVE accepted is never refused, an unparseable value (a non-numeric
// `cores`) is left out of the typed view, and `raw` keeps every key exactly as PVE sent it.
const commonSpec = {
  digest: t.lenient.string,
  description: t.lenient.string,
  lock: t.lenient.string,
  startup: t.lenient.string,
  ostype: t.lenient.string,
  onboot: t.lenient.boolean,
  protection: t.lenient.boolean,
  template: t.lenient.boolean,
  cores: t.lenient.number,
  cpulimit: t.lenient.number,
  cpuunits: t.lenient.number,
  memory: t.lenient.number,
  tags: t.lenient.from(splitList),
  unused: t.indexed("unused", t.lenient.from(parseUnused)),
} satisfies Spec;

const lxcSpec = {
  ...commonSpec,
  hostname: t.lenient.string,
  arch: t.lenient.string,
  cmode: t.lenient.string,
  nameserver: t.lenient.string,
  searchdomain: t.lenient.string,
  timezone: t.lenient.string,
  hookscript: t.lenient.string,
  unprivileged: t.lenient.boolean,
  console: t.lenient.boolean,
  swap: t.lenient.number,
  tty: t.lenient.number,
  features: t.lenient.from(parseLxcFeatures),
  rootfs: t.lenient.from(parseLxcRootfs),
  net: t.indexed("net", t.lenient.from(parseLxcNet)),
  mp: t.indexed("mp", t.lenient.from(parseLxcMountPoint)),
  dev: t.indexed(
    "dev",
    t.lenient.from((s) => parsePropertyString(s, "path")),
  ),
} satisfies Spec;

/** `agent`: `1,freeze-fs=0` or `enabled=1,…`; `enabled` is always there. */
function parseAgent(s: string): NonNullable<QemuConfig["agent"]> {
  const a: Record<string, string | boolean> = parsePropertyString(s, "enabled");
  return { ...a, enabled: toBool(a["enabled"]) ?? false };
}

const QEMU_DISK = /^(?:ide|sata|scsi|virtio)\d+$|^(?:efidisk|tpmstate)0$/;

const qemuSpec = {
  ...commonSpec,
  name: t.lenient.string,
  cpu: t.lenient.string,
  boot: t.lenient.string,
  bios: t.lenient.string,
  machine: t.lenient.string,
  scsihw: t.lenient.string,
  numa: t.lenient.boolean,
  sockets: t.lenient.number,
  vcpus: t.lenient.number,
  balloon: t.lenient.number,
  /** `4096` or `current=4096,…` */
  memory: t.lenient.from((s) => toNumber(parsePropertyString(s, "current")["current"])),
  agent: t.lenient.from(parseAgent),
  net: t.indexed("net", t.lenient.from(parseQemuNet)),
  disks: t.keyed(QEMU_DISK, t.lenient.from(parseQemuDisk)),
  ipconfig: t.indexed(
    "ipconfig",
    t.lenient.from((s) => parsePropertyString(s)),
  ),
} satisfies Spec;

/**
 * The typed view of a config plus `raw`: the record parser normalises a copy in place (keys outside the spec
 * left out), so `raw` stays the object PVE sent.
 */
function config<C extends string, S extends Spec>(
  kind: C,
  spec: S,
): RecordParser<Infer<S> & { kind: C; raw: Record<string, unknown> }> {
  const parse = record(spec, { others: "drop" });
  return (input, path, issues) => {
    const raw = input as Record<string, unknown>;
    const isObject = typeof input === "object" && input !== null && !Array.isArray(input);
    const typed = parse(isObject ? { ...raw } : input, path, issues);
    return typed && { ...typed, kind, raw };
  };
}

/** GET /nodes/{node}/lxc/{vmid}/config */
export const parseLxcConfig: RecordParser<LxcConfig> = config("lxc", lxcSpec);
/** GET /nodes/{node}/qemu/{vmid}/config */
export const parseQemuConfig: RecordParser<QemuConfig> = config("qemu", qemuSpec);

/** A config object already in hand (the simulator's, a test's) as the typed view; never fails. */
export function toLxcConfig(raw: Record<string, unknown>): LxcConfig {
  return parseLxcConfig(raw, [], []) as LxcConfig;
}
export function toQemuConfig(raw: Record<string, unknown>): QemuConfig {
  return parseQemuConfig(raw, [], []) as QemuConfig;
}
