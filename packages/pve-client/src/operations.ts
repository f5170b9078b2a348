// Every API call the client can make, as a pure function from typed arguments to a PveRequest. The Client
// sends these; the contract test checks each against PVE's published schema.
import {
  lxcChangeParams,
  qemuChangeParams,
  type LxcConfigChanges,
  type QemuConfigChanges,
} from "./config-changes.js";
import { PveArgumentError } from "./errors.js";
import {
  buildRequest,
  validateNode,
  validateSnapname,
  validateStorage,
  validateVmid,
  type PveRequest,
} from "./request.js";
import type { GuestKind } from "./schemas/guests.js";
import type { Upid } from "./upid.js";

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

export interface RestoreLxcOptions {
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

const guestPath = (kind: GuestKind) => `/nodes/{node}/${kindSegment(kind)}/{vmid}`;

function kindSegment(kind: GuestKind): "lxc" | "qemu" {
  if (kind !== "lxc" && kind !== "qemu") throw new PveArgumentError("kind", "expected lxc or qemu");
  return kind;
}

function guest(node: string, vmid: number) {
  return { node: validateNode(node), vmid: validateVmid(vmid) };
}

function volid(name: string, v: string): string {
  if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]:\S+$/i.test(v))
    throw new PveArgumentError(name, "expected STORAGE:VOLUME");
  return v;
}

export const ops = {
  version: (): PveRequest => buildRequest("GET", "/version", {}),
  permissions: (path?: string): PveRequest =>
    buildRequest("GET", "/access/permissions", {}, { path }),
  clusterResources: (type?: "vm" | "storage" | "node" | "sdn"): PveRequest =>
    buildRequest("GET", "/cluster/resources", {}, { type }),
  nodeStatus: (node: string): PveRequest =>
    buildRequest("GET", "/nodes/{node}/status", { node: validateNode(node) }),
  rrddata: (node: string, timeframe: Timeframe, cf?: "AVERAGE" | "MAX"): PveRequest =>
    buildRequest("GET", "/nodes/{node}/rrddata", { node: validateNode(node) }, { timeframe, cf }),
  guestList: (node: string, kind: GuestKind): PveRequest =>
    buildRequest("GET", `/nodes/{node}/${kindSegment(kind)}`, { node: validateNode(node) }),
  guestStatus: (node: string, kind: GuestKind, vmid: number): PveRequest =>
    buildRequest("GET", `${guestPath(kind)}/status/current`, guest(node, vmid)),
  guestConfig: (node: string, kind: GuestKind, vmid: number): PveRequest =>
    buildRequest("GET", `${guestPath(kind)}/config`, guest(node, vmid)),
  storageList: (node: string): PveRequest =>
    buildRequest("GET", "/nodes/{node}/storage", { node: validateNode(node) }),
  storageContent: (
    node: string,
    storage: string,
    filter: { content?: string; vmid?: number } = {},
  ) =>
    buildRequest(
      "GET",
      "/nodes/{node}/storage/{storage}/content",
      { node: validateNode(node), storage: validateStorage(storage) },
      {
        content: filter.content,
        vmid: filter.vmid === undefined ? undefined : validateVmid(filter.vmid),
      },
    ),
  taskList: (node: string, f: TaskListFilters = {}): PveRequest =>
    buildRequest(
      "GET",
      "/nodes/{node}/tasks",
      { node: validateNode(node) },
      { ...f, statusfilter: f.statusfilter?.join(",") },
    ),
  taskStatus: (upid: Upid): PveRequest =>
    buildRequest("GET", "/nodes/{node}/tasks/{upid}/status", { node: upid.node, upid }),
  taskLog: (upid: Upid, start: number, limit: number): PveRequest =>
    buildRequest(
      "GET",
      "/nodes/{node}/tasks/{upid}/log",
      { node: upid.node, upid },
      { start, limit },
    ),
  stopTask: (upid: Upid): PveRequest =>
    buildRequest("DELETE", "/nodes/{node}/tasks/{upid}", { node: upid.node, upid }),
  restoreLxc: (node: string, o: RestoreLxcOptions): PveRequest => {
    const g = guest(node, o.vmid);
    return buildRequest(
      "POST",
      "/nodes/{node}/lxc",
      { node: g.node },
      {
        vmid: g.vmid,
        ostemplate: volid("archive", o.archive),
        restore: true,
        storage: validateStorage(o.storage),
        unique: o.newIdentity ? true : undefined,
        hostname: o.newIdentity?.hostname,
        unprivileged: o.unprivileged,
        pool: o.pool,
        bwlimit: o.bwlimit,
        "ignore-unpack-errors": o.ignoreUnpackErrors,
      },
      g,
    );
  },
  backup: (node: string, o: BackupOptions): PveRequest => {
    const g = guest(node, o.vmid);
    if (o.mode !== "stop" && o.mode !== "snapshot")
      throw new PveArgumentError("mode", "stop or snapshot");
    return buildRequest(
      "POST",
      "/nodes/{node}/vzdump",
      { node: g.node },
      {
        vmid: String(g.vmid),
        mode: o.mode,
        storage: validateStorage(o.storage),
        compress: o.compress,
        "notes-template": o.notes,
        protected: o.protected,
      },
      g,
    );
  },
  snapshots: (node: string, kind: GuestKind, vmid: number): PveRequest =>
    buildRequest("GET", `${guestPath(kind)}/snapshot`, guest(node, vmid)),
  createSnapshot: (
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o: SnapshotOptions = {},
  ) => {
    if (o.vmstate !== undefined && kind !== "qemu")
      throw new PveArgumentError("vmstate", "QEMU only");
    const g = guest(node, vmid);
    return buildRequest(
      "POST",
      `${guestPath(kind)}/snapshot`,
      g,
      { snapname: validateSnapname(name), description: o.description, vmstate: o.vmstate },
      g,
    );
  },
  rollback: (
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o: { start?: boolean } = {},
  ) => {
    const g = guest(node, vmid);
    return buildRequest(
      "POST",
      `${guestPath(kind)}/snapshot/{snapname}/rollback`,
      { ...g, snapname: validateSnapname(name) },
      { start: o.start },
      g,
    );
  },
  deleteSnapshot: (
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o: { force?: boolean } = {},
  ) => {
    const g = guest(node, vmid);
    return buildRequest(
      "DELETE",
      `${guestPath(kind)}/snapshot/{snapname}`,
      { ...g, snapname: validateSnapname(name) },
      { force: o.force },
      g,
    );
  },
  setLxcConfig: (node: string, vmid: number, c: LxcConfigChanges): PveRequest => {
    const g = guest(node, vmid);
    return buildRequest("PUT", "/nodes/{node}/lxc/{vmid}/config", g, lxcChangeParams(c), g);
  },
  setQemuConfig: (node: string, vmid: number, c: QemuConfigChanges): PveRequest => {
    const g = guest(node, vmid);
    return buildRequest("POST", "/nodes/{node}/qemu/{vmid}/config", g, qemuChangeParams(c), g);
  },
  start: (node: string, kind: GuestKind, vmid: number): PveRequest => {
    const g = guest(node, vmid);
    return buildRequest("POST", `${guestPath(kind)}/status/start`, g, {}, g);
  },
  stop: (node: string, kind: GuestKind, vmid: number, o: { overruleShutdown?: boolean } = {}) => {
    const g = guest(node, vmid);
    return buildRequest(
      "POST",
      `${guestPath(kind)}/status/stop`,
      g,
      { "overrule-shutdown": o.overruleShutdown },
      g,
    );
  },
  shutdown: (
    node: string,
    kind: GuestKind,
    vmid: number,
    o: { timeout?: number; forceStop?: boolean } = {},
  ) => {
    const g = guest(node, vmid);
    return buildRequest(
      "POST",
      `${guestPath(kind)}/status/shutdown`,
      g,
      { timeout: o.timeout, forceStop: o.forceStop },
      g,
    );
  },
} as const;
