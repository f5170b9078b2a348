// The typed arguments of the API operations (filters and options), apart from the table that uses them.
export type Timeframe = "hour" | "day" | "week" | "month" | "year" | "decade";

export interface TaskListFilters {
  start?: number;
  limit?: number;
  vmid?: number;
  typefilter?: string;
  userfilter?: string;
  since?: number;
  until?: number;
  source?: "archive" | "active" | "all";
  /** Only tasks that did not end OK (warnings and unknown stay). */
  errors?: boolean;
  statusfilter?: readonly ("ok" | "warning" | "error" | "unknown")[];
}

export interface RestoreOptions {
  /** The new container's id; must not exist. */
  vmid: number;
  /** Volume id of the vzdump archive, e.g. `local:backup/vzdump-lxc-100-2026_01_01-00_00_00.tar.zst`. */
  archive: string;
  /** Storage for the root filesystem and mount points. */
  storage: string;
  /**
   * Restore alongside the original: PVE's `unique=1` gives every network device a new MAC, and the
   * container gets this hostname. Set before the container is ever started (restore never starts it).
   */
  newIdentity?: { hostname: string };
  unprivileged?: boolean;
  pool?: string;
  /** KiB/s */
  bwlimit?: number;
  ignoreUnpackErrors?: boolean;
}

export interface BackupOptions {
  vmid: number;
  /** `stop` (consistent, stops the guest) or `snapshot` (LXC: crash-consistent only). */
  mode: "stop" | "snapshot";
  storage: string;
  compress?: "zstd" | "gzip" | "lzo" | "0";
  /** Notes template, e.g. `{{guestname}}`. */
  notes?: string;
  protected?: boolean;
}

export interface SnapshotOptions {
  description?: string;
  /** QEMU only: include the RAM state. */
  vmstate?: boolean;
}
