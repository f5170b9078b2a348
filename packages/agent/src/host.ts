// The routing facade: one object for the host exposing every operation of the routing table exactly once, under
// the name pve-client declares it with. API operations are built from the pve-client alone and helper operations from the helper link alone, so no
// operation can reach the other backend; the object literals are checked against ROUTES at compile time.
import type {
  BackupOptions,
  CallOptions as ApiCallOptions,
  Client,
  GuestKind,
  LxcConfigChanges,
  QemuConfigChanges,
  RestoreOptions,
  SnapshotOptions,
  TaskListFilters,
  Timeframe,
  Upid,
  WaitOptions,
} from "@felhom/pve-client";
import type {
  CallOptions as HelperCallOptions,
  HelperClient,
  ParamsOf,
} from "@felhom/helper-protocol";
import { ROUTES } from "./routing.js";
import type { ApiOperation, Backend, HelperOperation, Operation } from "./routing.js";

/** A guest and its kind (the API paths differ for containers and VMs). */
export interface GuestRef {
  vmid: number;
  kind: GuestKind;
}

/** A config change, typed by the guest's kind. LXC applies synchronously; QEMU runs a task. */
export type ConfigChange =
  | { vmid: number; kind: "lxc"; changes: LxcConfigChanges }
  | { vmid: number; kind: "qemu"; changes: QemuConfigChanges };

/** What the facade needs from the API backend: the pve-client's Client, one method per routed operation. */
export type ApiBackend = Pick<Client, ApiOperation>;

/** What the facade needs from the helper backend: a way to run a call on a connected stub. */
export interface HelperBackend {
  call<T>(fn: (client: HelperClient) => Promise<T>, idempotent: boolean): Promise<T>;
}

type Fn = (...args: never[]) => Promise<unknown>;

/** The API half of the routing table. Only `api` is in scope here. */
function apiOperations(api: ApiBackend, node: string) {
  return {
    nodeStatus: (o?: ApiCallOptions) => api.nodeStatus(node, o),
    clusterResources: (q: { type?: "vm" | "storage" | "node" | "sdn" } = {}, o?: ApiCallOptions) =>
      api.clusterResources(q, o),
    rrddata: (q: { timeframe: Timeframe; cf?: "AVERAGE" | "MAX" }, o?: ApiCallOptions) =>
      api.rrddata(node, q, o),
    listGuests: (o?: ApiCallOptions) => api.listGuests(node, o),
    guestStatus: (g: GuestRef, o?: ApiCallOptions) => api.guestStatus(node, g.kind, g.vmid, o),
    guestConfig: (g: GuestRef, o?: ApiCallOptions) => api.guestConfig(node, g.kind, g.vmid, o),
    storageList: (o?: ApiCallOptions) => api.storageList(node, o),
    storageContent: (
      storage: string,
      filter: { content?: string; vmid?: number } = {},
      o?: ApiCallOptions,
    ) => api.storageContent(node, storage, filter, o),
    taskList: (filters: TaskListFilters = {}, o?: ApiCallOptions) => api.taskList(node, filters, o),
    taskStatus: (upid: Upid, o?: ApiCallOptions) => api.taskStatus(upid, o),
    taskLog: (upid: Upid, range: { start?: number; limit?: number } = {}, o?: ApiCallOptions) =>
      api.taskLog(upid, range, o),
    waitTask: (upid: Upid, w: WaitOptions = {}) => api.waitTask(upid, w),
    restore: (r: RestoreOptions, o?: ApiCallOptions) => api.restore(node, r, o),
    backup: (b: BackupOptions, o?: ApiCallOptions) => api.backup(node, b, o),
    snapshots: (g: GuestRef, o?: ApiCallOptions) => api.snapshots(node, g.kind, g.vmid, o),
    snapshot: (g: GuestRef, name: string, s?: SnapshotOptions, o?: ApiCallOptions) =>
      api.snapshot(node, g.kind, g.vmid, name, s, o),
    rollback: (g: GuestRef, name: string, r?: { start?: boolean }, o?: ApiCallOptions) =>
      api.rollback(node, g.kind, g.vmid, name, r, o),
    deleteSnapshot: (g: GuestRef, name: string, d?: { force?: boolean }, o?: ApiCallOptions) =>
      api.deleteSnapshot(node, g.kind, g.vmid, name, d, o),
    setConfig: async (c: ConfigChange, o?: ApiCallOptions): Promise<Upid | undefined> => {
      if (c.kind === "qemu") return api.setConfig(node, "qemu", c.vmid, c.changes, o);
      await api.setConfig(node, "lxc", c.vmid, c.changes, o);
      return undefined;
    },
    start: (g: GuestRef, o?: ApiCallOptions) => api.start(node, g.kind, g.vmid, o),
    stop: (g: GuestRef, s?: { overruleShutdown?: boolean }, o?: ApiCallOptions) =>
      api.stop(node, g.kind, g.vmid, s, o),
    shutdown: (g: GuestRef, s?: { timeout?: number; forceStop?: boolean }, o?: ApiCallOptions) =>
      api.shutdown(node, g.kind, g.vmid, s, o),
  } satisfies Record<ApiOperation, Fn>;
}

/** The root helper half of the routing table. Only `helper` is in scope here. */
function helperOperations(helper: HelperBackend) {
  return {
    goldenCreate: (p: ParamsOf<"createContainer">, o?: HelperCallOptions) =>
      helper.call((c) => c.createContainer(p, { timeoutMs: 1_800_000, ...o }), false),
    usbMount: (p: ParamsOf<"usbMount">, o?: HelperCallOptions) =>
      helper.call((c) => c.usbMount(p, { timeoutMs: 120_000, ...o }), false),
    usbUnmount: (p: ParamsOf<"usbUnmount">, o?: HelperCallOptions) =>
      helper.call((c) => c.usbUnmount(p, { timeoutMs: 120_000, ...o }), false),
    smart: (p: ParamsOf<"smart">, o?: HelperCallOptions) =>
      helper.call((c) => c.smart(p, { timeoutMs: 60_000, ...o }), true),
    sensors: (o?: HelperCallOptions) =>
      helper.call((c) => c.sensors({ timeoutMs: 30_000, ...o }), true),
  } satisfies Record<HelperOperation, Fn>;
}

export type ApiOperations = ReturnType<typeof apiOperations>;
export type HelperOperations = ReturnType<typeof helperOperations>;
export type Operations = ApiOperations & HelperOperations;

/** One host: every routed operation, plus the node it manages and the backend of each operation. */
export type ProxmoxHost = Readonly<Operations> & {
  readonly node: string;
  /** The backend that serves an operation (from the routing table). */
  backendOf(op: Operation): Backend;
};

export interface HostOptions {
  api: ApiBackend;
  helper: HelperBackend;
  node: string;
  /** Called before each operation with its backend: the CLI's --verbose and the demo show it. */
  onCall?: (op: Operation, backend: Backend) => void;
}

/** Builds the facade. Each operation is wrapped only to report its call; the backend binding is structural. */
export function createHost(opts: HostOptions): ProxmoxHost {
  const parts: Record<string, Fn> = {
    ...apiOperations(opts.api, opts.node),
    ...helperOperations(opts.helper),
  };
  const host: Record<string, unknown> = {};
  for (const [op, fn] of Object.entries(parts)) {
    const backend = ROUTES[op as Operation].backend;
    host[op] = opts.onCall
      ? (...args: never[]) => {
          opts.onCall?.(op as Operation, backend);
          return fn(...args);
        }
      : fn;
  }
  host.node = opts.node;
  host.backendOf = (op: Operation) => ROUTES[op].backend;
  return Object.freeze(host) as ProxmoxHost;
}
