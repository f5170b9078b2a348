// The simulated node's data model: guests, storages, volumes and backup archives, as plain records.

export type GuestType = "lxc" | "qemu";
export type ConfigValue = string | number;
/** A guest configuration exactly as GET …/config returns it (numbers for numeric keys, strings otherwise). */
export type GuestConfig = Record<string, ConfigValue>;

export interface SnapshotRecord {
  name: string;
  /** Unix seconds. */
  snaptime: number;
  description?: string;
  parent?: string;
  snapstate?: "prepare" | "delete";
  /** The guest configuration at snapshot time (without lock, parent and snapshots). */
  config: GuestConfig;
}

/** Per-guest constants that make the usage figures look alive but stay deterministic. */
export interface GuestLoad {
  cpu: number;
  memFraction: number;
  diskFraction: number;
  netRate: number;
  ioRate: number;
}

export interface GuestRecord {
  vmid: number;
  type: GuestType;
  status: "running" | "stopped";
  /** Includes `lock` and `parent` when set. */
  config: GuestConfig;
  snapshots: Map<string, SnapshotRecord>;
  /** When the guest was last started (clock ms), for `uptime`. */
  startedAtMs?: number;
  load: GuestLoad;
}

export type ContentType = "images" | "rootdir" | "vztmpl" | "iso" | "backup";

/** What a backup archive holds: the guest's configuration and which volumes went in. */
export interface BackupManifest {
  guestType: GuestType;
  vmid: number;
  mode: "stop" | "snapshot" | "suspend";
  config: GuestConfig;
  /** Config keys of the volumes captured (rootfs, mp0, scsi0, …). */
  included: string[];
  /** Config keys of volumes left out, with PVE's reason ("disabled", "not a volume", "backup=no"). */
  excluded: Array<{ key: string; reason: string }>;
  upid?: string;
}

export interface VolumeRecord {
  volid: string;
  content: ContentType;
  format: string;
  /** Bytes. */
  size: number;
  /** Unix seconds. */
  ctime: number;
  vmid?: number;
  subtype?: GuestType;
  notes?: string;
  protected?: 0 | 1;
  backup?: BackupManifest;
}

export interface StorageRecord {
  id: string;
  type: "dir" | "lvmthin";
  content: ContentType[];
  path?: string;
  vgname?: string;
  thinpool?: string;
  /** Bytes. */
  total: number;
  volumes: Map<string, VolumeRecord>;
}

export interface NodeInfo {
  name: string;
  bootMs: number;
  cpuModel: string;
  cores: number;
  cpus: number;
  sockets: number;
  memTotal: number;
  rootfsTotal: number;
  kernelRelease: string;
  kernelVersion: string;
  pveVersion: string;
  release: string;
  repoid: string;
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;
