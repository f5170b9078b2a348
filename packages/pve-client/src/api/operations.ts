// Every API operation, declared once: its one name, the request it sends (method, path, parameters), how its
// answer is validated, the privileges it needs and its place in the agent's routing table. The Client, the
// agent's facade and routing table, the privilege table and the contract test all derive from this table.
import {
  lxcChangeParams,
  qemuChangeParams,
  type LxcConfigChanges,
  type QemuConfigChanges,
} from "../config-changes.js";
import { PveArgumentError } from "../errors.js";
import { HOSTNAME, NODE, SNAPSHOT_NAME, STORAGE_ID, VMID, VOLUME_ID } from "@felhom/grammar";
import {
  buildRequest,
  checkText,
  validateNode,
  validateSnapname,
  validateStorage,
  validateVmid,
  validateVolumeId,
  type PveRequest,
} from "../request.js";
import type { GuestKind } from "../schemas/guests.js";
import {
  LxcConfigSchema,
  QemuConfigSchema,
  type LxcConfig,
  type QemuConfig,
} from "../schemas/guest-config.js";
import { parseLxcList, parseLxcStatus, parseQemuList, parseQemuStatus } from "../schemas/guests.js";
import { parseNodeStatus, parseRrd, PermissionsSchema, VersionSchema } from "../schemas/node.js";
import { parseClusterResources } from "../schemas/resources.js";
import { parseSnapshots } from "../schemas/snapshots.js";
import { parseStorageContent, parseStorageList } from "../schemas/storage.js";
import { parseTaskList, parseTaskLogLines, parseTaskStatus } from "../schemas/tasks.js";
import { check } from "../schemas/validate.js";
import type { Upid } from "../upid.js";
import {
  applied,
  bridge,
  defineOperation,
  onNode,
  parsed,
  schema,
  storage,
  taskStarted,
  vm,
  type ApiOperationDef,
  type ApiRoute,
  type ResultCheck,
} from "./define.js";
import type {
  BackupOptions,
  RestoreLxcOptions,
  SnapshotOptions,
  TaskListFilters,
  Timeframe,
} from "./options.js";

/** DESIGN section 1 rows of the API backend (the agent checks them against its routing table). */
const ROW = {
  node: "node status, resources, metrics (rrddata)",
  guests: "list guests (lxc + qemu), per-guest status and config",
  storage: "storage list, storage content",
  tasks: "task status, task log",
  restore: "restore LXC from archive (the PRIMARY create path)",
  backup: "vzdump backup, stop / snapshot mode",
  snapshots: "snapshot, rollback, delete snapshot",
  config: "set config: memory, cores, net, options, mount points",
  power: "start, stop, shutdown guest",
} as const;

const guestPath = (kind: GuestKind) => `/nodes/{node}/${kindSegment(kind)}/{vmid}`;

function kindSegment(kind: GuestKind): "lxc" | "qemu" {
  if (kind !== "lxc" && kind !== "qemu") throw new PveArgumentError("kind", "expected lxc or qemu");
  return kind;
}

function guest(node: string, vmid: number) {
  return { node: validateNode(node), vmid: validateVmid(vmid) };
}

/** A guest-level POST/DELETE with no path value beyond the guest (start, stop, shutdown). */
function guestAction(
  method: "POST" | "DELETE",
  suffix: string,
  node: string,
  kind: GuestKind,
  vmid: number,
  params: Record<string, string | number | boolean | undefined> = {},
): PveRequest {
  const g = guest(node, vmid);
  return buildRequest(method, `${guestPath(kind)}${suffix}`, g, params, g);
}

/** The answer of a config read, typed by the kind in the request's path. */
const guestConfigResult: ResultCheck<LxcConfig | QemuConfig> = (data, req) =>
  req.template.includes("/lxc/")
    ? schema(LxcConfigSchema)(data, req)
    : schema(QemuConfigSchema)(data, req);

/** The config change request, typed by the guest's kind (LXC: PUT, applied; QEMU: POST, a task). */
const setConfigRequest: {
  (node: string, kind: "lxc", vmid: number, changes: LxcConfigChanges): PveRequest;
  (node: string, kind: "qemu", vmid: number, changes: QemuConfigChanges): PveRequest;
  (
    node: string,
    kind: GuestKind,
    vmid: number,
    changes: LxcConfigChanges | QemuConfigChanges,
  ): PveRequest;
} = (
  node: string,
  kind: GuestKind,
  vmid: number,
  changes: LxcConfigChanges | QemuConfigChanges,
): PveRequest => {
  const g = guest(node, vmid);
  if (kindSegment(kind) === "lxc")
    return buildRequest(
      "PUT",
      "/nodes/{node}/lxc/{vmid}/config",
      g,
      lxcChangeParams(changes as LxcConfigChanges),
      g,
    );
  return buildRequest(
    "POST",
    "/nodes/{node}/qemu/{vmid}/config",
    g,
    qemuChangeParams(changes as QemuConfigChanges),
    g,
  );
};

export const API_OPERATIONS = {
  // ---- the client's own plumbing (not in the routing table) -----------------------------------------
  version: defineOperation({
    label: "PVE version",
    mutating: false,
    privileges: [],
    request: () => buildRequest("GET", "/version", {}),
    result: schema(VersionSchema),
  }),
  permissions: defineOperation({
    label: "the token's effective permissions",
    mutating: false,
    privileges: [],
    request: (path?: string) => buildRequest("GET", "/access/permissions", {}, { path }),
    result: schema(PermissionsSchema),
  }),
  stopTask: defineOperation({
    label: "stop a task (own tasks)",
    mutating: true,
    privileges: [],
    request: (upid: Upid) =>
      buildRequest("DELETE", "/nodes/{node}/tasks/{upid}", { node: upid.node, upid }),
  }),

  // ---- reads ----------------------------------------------------------------------------------------
  nodeStatus: defineOperation({
    label: "node status",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "status" },
    args: { node: NODE },
    request: (node: string) =>
      buildRequest("GET", "/nodes/{node}/status", { node: validateNode(node) }),
    result: parsed(parseNodeStatus),
  }),
  clusterResources: defineOperation({
    label: "cluster resources",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "resources" },
    request: (type?: "vm" | "storage" | "node" | "sdn") =>
      buildRequest("GET", "/cluster/resources", {}, { type }),
    result: parsed(parseClusterResources),
  }),
  rrddata: defineOperation({
    label: "metrics (rrddata)",
    mutating: false,
    privileges: [onNode("Sys.Audit")],
    route: { row: ROW.node, cli: "metrics" },
    request: (node: string, timeframe: Timeframe, cf?: "AVERAGE" | "MAX") =>
      buildRequest("GET", "/nodes/{node}/rrddata", { node: validateNode(node) }, { timeframe, cf }),
    result: parsed(parseRrd),
  }),
  /** Both lists of a node: one request per kind (`/nodes/{node}/lxc`, `/nodes/{node}/qemu`). */
  listGuests: defineOperation({
    label: "list guests",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guests" },
    request: (node: string, kind: GuestKind) =>
      buildRequest("GET", `/nodes/{node}/${kindSegment(kind)}`, { node: validateNode(node) }),
    result: (data, req) =>
      req.template.endsWith("/lxc")
        ? check(parseLxcList, data, req)
        : check(parseQemuList, data, req),
  }),
  guestStatus: defineOperation({
    label: "guest status",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guest" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/status/current`, guest(node, vmid)),
    result: (data, req) =>
      req.template.includes("/lxc/")
        ? { ...check(parseLxcStatus, data, req), kind: "lxc" as const }
        : { ...check(parseQemuStatus, data, req), kind: "qemu" as const },
  }),
  guestConfig: defineOperation({
    label: "guest config",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.guests, cli: "guest" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/config`, guest(node, vmid)),
    result: guestConfigResult,
  }),
  storageList: defineOperation({
    label: "storage list",
    mutating: false,
    privileges: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
    route: { row: ROW.storage, cli: "storage" },
    request: (node: string) =>
      buildRequest("GET", "/nodes/{node}/storage", { node: validateNode(node) }),
    result: parsed(parseStorageList),
  }),
  storageContent: defineOperation({
    label: "storage content",
    mutating: false,
    privileges: [storage("Datastore.Audit", "Datastore.AllocateSpace")],
    route: { row: ROW.storage, cli: "content" },
    args: { storage: STORAGE_ID, vmid: VMID },
    request: (node: string, id: string, filter: { content?: string; vmid?: number } = {}) =>
      buildRequest(
        "GET",
        "/nodes/{node}/storage/{storage}/content",
        { node: validateNode(node), storage: validateStorage(id) },
        {
          content: filter.content,
          vmid: filter.vmid === undefined ? undefined : validateVmid(filter.vmid),
        },
      ),
    result: parsed(parseStorageContent),
  }),
  snapshots: defineOperation({
    label: "snapshot list",
    mutating: false,
    privileges: [vm("VM.Audit")],
    route: { row: ROW.snapshots, cli: "snapshots" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      buildRequest("GET", `${guestPath(kind)}/snapshot`, guest(node, vmid)),
    result: parsed(parseSnapshots),
  }),

  // ---- tasks ----------------------------------------------------------------------------------------
  taskList: defineOperation({
    label: "task list (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "tasks" },
    args: { vmid: VMID },
    request: (node: string, f: TaskListFilters = {}) =>
      buildRequest(
        "GET",
        "/nodes/{node}/tasks",
        { node: validateNode(node) },
        { ...f, statusfilter: f.statusfilter?.join(",") },
      ),
    result: parsed(parseTaskList),
  }),
  taskStatus: defineOperation({
    label: "task status (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
    request: (upid: Upid) =>
      buildRequest("GET", "/nodes/{node}/tasks/{upid}/status", { node: upid.node, upid }),
    result: parsed(parseTaskStatus),
  }),
  taskLog: defineOperation({
    label: "task log (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
    request: (upid: Upid, start: number, limit: number) =>
      buildRequest(
        "GET",
        "/nodes/{node}/tasks/{upid}/log",
        { node: upid.node, upid },
        { start, limit },
      ),
    result: parsed(parseTaskLogLines),
  }),
  /** Polls taskStatus (and taskLog when asked) until the task stopped: no request of its own. */
  waitTask: defineOperation({
    label: "wait for a task (own tasks)",
    mutating: false,
    privileges: [],
    route: { row: ROW.tasks, cli: "task" },
  }),

  // ---- changes (each starts a task, except an LXC config change) ------------------------------------
  restore: defineOperation({
    label: "restore LXC from archive",
    mutating: true,
    // VM.Allocate to create the guest, VM.Config.Options for the new hostname, space on the target storage
    // SDN.Use on the bridges of the archive's NICs: checked inside the restore task, after the POST's 200
    privileges: [
      vm("VM.Allocate"),
      vm("VM.Config.Options"),
      storage("Datastore.AllocateSpace"),
      bridge("SDN.Use"),
    ],
    route: { row: ROW.restore, cli: "restore" },
    args: { vmid: VMID, archive: VOLUME_ID, storage: STORAGE_ID, hostname: HOSTNAME },
    request: (node: string, o: RestoreLxcOptions) => {
      const g = guest(node, o.vmid);
      return buildRequest(
        "POST",
        "/nodes/{node}/lxc",
        { node: g.node },
        {
          vmid: g.vmid,
          ostemplate: validateVolumeId("archive", o.archive),
          restore: true,
          storage: validateStorage(o.storage),
          unique: o.newIdentity ? true : undefined,
          hostname: o.newIdentity && checkText("hostname", HOSTNAME, o.newIdentity.hostname),
          unprivileged: o.unprivileged,
          pool: o.pool,
          bwlimit: o.bwlimit,
          "ignore-unpack-errors": o.ignoreUnpackErrors,
        },
        g,
      );
    },
    result: taskStarted,
  }),
  backup: defineOperation({
    label: "vzdump backup",
    mutating: true,
    privileges: [vm("VM.Backup"), storage("Datastore.AllocateSpace")],
    route: { row: ROW.backup, cli: "backup" },
    args: { vmid: VMID, storage: STORAGE_ID },
    request: (node: string, o: BackupOptions) => {
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
    result: taskStarted,
  }),
  snapshot: defineOperation({
    label: "snapshot create",
    mutating: true,
    privileges: [vm("VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "snapshot" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
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
    result: taskStarted,
  }),
  rollback: defineOperation({
    label: "snapshot rollback",
    mutating: true,
    privileges: [vm("VM.Snapshot.Rollback", "VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "rollback" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
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
    result: taskStarted,
  }),
  deleteSnapshot: defineOperation({
    label: "snapshot delete",
    mutating: true,
    privileges: [vm("VM.Snapshot")],
    route: { row: ROW.snapshots, cli: "delete-snapshot" },
    args: { vmid: VMID, name: SNAPSHOT_NAME },
    request: (
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
    result: taskStarted,
  }),
  /** LXC: PUT, applied synchronously (null). QEMU: POST, a `qmconfig` task (its UPID). */
  setConfig: defineOperation({
    label: "set config (memory, cores, net, options, mount points)",
    mutating: true,
    privileges: [
      vm("VM.Config.Memory"),
      vm("VM.Config.CPU"),
      vm("VM.Config.Network"),
      vm("VM.Config.Options"),
      vm("VM.Config.Disk"),
      bridge("SDN.Use"),
    ],
    route: { row: ROW.config, cli: "config" },
    args: { vmid: VMID, hostname: HOSTNAME, name: HOSTNAME },
    request: setConfigRequest,
    result: (data, req): Upid | void =>
      req.method === "POST" ? taskStarted(data, req) : applied(data, req),
  }),
  start: defineOperation({
    label: "start",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "start" },
    args: { vmid: VMID },
    request: (node: string, kind: GuestKind, vmid: number) =>
      guestAction("POST", "/status/start", node, kind, vmid),
    result: taskStarted,
  }),
  stop: defineOperation({
    label: "stop",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "stop" },
    args: { vmid: VMID },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      o: { overruleShutdown?: boolean } = {},
    ) =>
      guestAction("POST", "/status/stop", node, kind, vmid, {
        "overrule-shutdown": o.overruleShutdown,
      }),
    result: taskStarted,
  }),
  shutdown: defineOperation({
    label: "shutdown",
    mutating: true,
    privileges: [vm("VM.PowerMgmt")],
    route: { row: ROW.power, cli: "shutdown" },
    args: { vmid: VMID },
    request: (
      node: string,
      kind: GuestKind,
      vmid: number,
      o: { timeout?: number; forceStop?: boolean } = {},
    ) =>
      guestAction("POST", "/status/shutdown", node, kind, vmid, {
        timeout: o.timeout,
        forceStop: o.forceStop,
      }),
    result: taskStarted,
  }),
} as const;

export type ApiOperations = typeof API_OPERATIONS;
export type ApiOperationName = keyof ApiOperations;
/** The operations of the agent's routing table (those with a route). */
export type RoutedApiOperation = {
  [K in ApiOperationName]: ApiOperations[K] extends { route: ApiRoute } ? K : never;
}[ApiOperationName];

export const ROUTED_API_OPERATIONS = (Object.keys(API_OPERATIONS) as ApiOperationName[]).filter(
  (op) => "route" in API_OPERATIONS[op],
) as RoutedApiOperation[];

type WithRequest = {
  [K in ApiOperationName]: ApiOperations[K] extends { request: unknown } ? K : never;
}[ApiOperationName];

/**
 * The request builders alone, by operation name: pure functions from typed arguments to a PveRequest (the
 * contract test checks each against PVE's published schema).
 */
export const ops = Object.freeze(
  Object.fromEntries(
    (Object.keys(API_OPERATIONS) as ApiOperationName[])
      .map((op): [string, ApiOperationDef] => [op, API_OPERATIONS[op]])
      .filter(([, d]) => d.request !== undefined)
      .map(([op, d]) => [op, d.request]),
  ),
) as { readonly [K in WithRequest]: ApiOperations[K] extends { request: infer F } ? F : never };
