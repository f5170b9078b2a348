// The Client: one typed method per declared API operation (api/operations.ts builds each request and checks
// each answer). Reads return validated, normalised data; every call that starts a task returns a parsed Upid
// to hand to waitTask (or use run()).
import type { Dispatcher } from "undici";
import { evaluateAccess, type AccessReport, type AccessScope } from "./access.js";
import { taskStarted, type ResultCheck } from "./api/define.js";
import { API_OPERATIONS as API } from "./api/operations.js";
import type {
  BackupOptions,
  RestoreOptions,
  SnapshotOptions,
  TaskListFilters,
  Timeframe,
} from "./api/options.js";
import { openTransport, type ClientOptions } from "./client-options.js";
import type { LxcConfigChanges, QemuConfigChanges } from "./config-changes.js";
import { PveResponseShapeError } from "./errors.js";
import type { CallOptions, Transport } from "./http.js";
import { silentLogger, type Logger } from "./logger.js";
import type { PveRequest } from "./request.js";
import type { LxcConfig, QemuConfig } from "./schemas/guest-config.js";
import type {
  GuestKind,
  GuestListItem,
  GuestStatus,
  LxcListItem,
  QemuListItem,
} from "./schemas/guests.js";
import type { NodeStatus, Permissions, PveVersion, RrdSample } from "./schemas/node.js";
import type { ClusterResource } from "./schemas/resources.js";
import type { Snapshot } from "./schemas/snapshots.js";
import type { StorageInfo, StorageVolume } from "./schemas/storage.js";
import type { TaskListItem, TaskLogLine, TaskStatus } from "./schemas/tasks.js";
import { waitTask, type TaskOutcome, type WaitOptions } from "./tasks.js";
import { toApiToken, type ApiToken } from "./token.js";
import type { Upid } from "./upid.js";

export type { ClientOptions };

export class Client {
  readonly token: ApiToken;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #ownedAgent: Dispatcher | undefined;

  constructor(options: ClientOptions) {
    this.token = toApiToken(options.token);
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    const { transport, ownedAgent } = openTransport(
      options,
      this.token,
      this.#logger,
      this.#random,
    );
    this.#transport = transport;
    this.#ownedAgent = ownedAgent;
  }

  /** Closes the client's own connection pool (an injected dispatcher is left alone). */
  async close(): Promise<void> {
    await this.#ownedAgent?.close();
  }

  // ---- reads ----------------------------------------------------------------------------------------

  version(opts?: CallOptions): Promise<PveVersion> {
    return this.#read(API.version, opts);
  }

  /** The token's effective permissions: ACL path → privilege → propagates. */
  permissions(path?: string, opts?: CallOptions): Promise<Permissions> {
    return this.#read(API.permissions, opts, path);
  }

  nodeStatus(node: string, opts?: CallOptions): Promise<NodeStatus> {
    return this.#read(API.nodeStatus, opts, node);
  }

  rrddata(
    node: string,
    q: { timeframe: Timeframe; cf?: "AVERAGE" | "MAX" },
    opts?: CallOptions,
  ): Promise<RrdSample[]> {
    return this.#read(API.rrddata, opts, node, q.timeframe, q.cf);
  }

  clusterResources(
    q: { type?: "vm" | "storage" | "node" | "sdn" } = {},
    opts?: CallOptions,
  ): Promise<ClusterResource[]> {
    return this.#read(API.clusterResources, opts, q.type);
  }

  lxcList(node: string, opts?: CallOptions): Promise<LxcListItem[]> {
    return this.#read(API.listGuests, opts, node, "lxc");
  }

  qemuList(node: string, opts?: CallOptions): Promise<QemuListItem[]> {
    return this.#read(API.listGuests, opts, node, "qemu");
  }

  /** Containers and VMs of a node in one list, tagged with `kind`, sorted by vmid. */
  async listGuests(node: string, opts?: CallOptions): Promise<GuestListItem[]> {
    const [lxc, qemu] = await Promise.all([this.lxcList(node, opts), this.qemuList(node, opts)]);
    const all: GuestListItem[] = [
      ...lxc.map((g) => ({ ...g, kind: "lxc" as const })),
      ...qemu.map((g) => ({ ...g, kind: "qemu" as const })),
    ];
    return all.sort((a, b) => a.vmid - b.vmid);
  }

  guestStatus(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<GuestStatus> {
    return this.#read(API.guestStatus, opts, node, kind, vmid);
  }

  guestConfig(node: string, kind: "lxc", vmid: number, opts?: CallOptions): Promise<LxcConfig>;
  guestConfig(node: string, kind: "qemu", vmid: number, opts?: CallOptions): Promise<QemuConfig>;
  guestConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<LxcConfig | QemuConfig>;
  guestConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<LxcConfig | QemuConfig> {
    return this.#read(API.guestConfig, opts, node, kind, vmid);
  }

  storageList(node: string, opts?: CallOptions): Promise<StorageInfo[]> {
    return this.#read(API.storageList, opts, node);
  }

  storageContent(
    node: string,
    storage: string,
    filter: { content?: string; vmid?: number } = {},
    opts?: CallOptions,
  ): Promise<StorageVolume[]> {
    return this.#read(API.storageContent, opts, node, storage, filter);
  }

  snapshots(node: string, kind: GuestKind, vmid: number, opts?: CallOptions): Promise<Snapshot[]> {
    return this.#read(API.snapshots, opts, node, kind, vmid);
  }

  // ---- tasks ----------------------------------------------------------------------------------------

  taskList(
    node: string,
    filters: TaskListFilters = {},
    opts?: CallOptions,
  ): Promise<TaskListItem[]> {
    return this.#read(API.taskList, opts, node, filters);
  }

  /** Status of a task, called on the node named in the UPID. */
  taskStatus(upid: Upid, opts?: CallOptions): Promise<TaskStatus> {
    return this.#read(API.taskStatus, opts, upid);
  }

  /** A page of the task log: `start` is a 0-based line offset; `total` counts all lines. */
  async taskLog(
    upid: Upid,
    range: { start?: number; limit?: number } = {},
    opts?: CallOptions,
  ): Promise<{ lines: TaskLogLine[]; total: number }> {
    const req = API.taskLog.request(upid, range.start ?? 0, range.limit ?? 50);
    const env = await this.#transport.call(req, opts);
    const lines = API.taskLog.result(env.data, req);
    const total = typeof env.total === "number" ? env.total : Number(env.total ?? lines.length);
    if (!Number.isFinite(total)) {
      throw new PveResponseShapeError(req.method, req.path, [
        { path: ["total"], message: "expected number" },
      ]);
    }
    return { lines, total };
  }

  /** Stops a running task (PVE sends SIGTERM, then SIGKILL after 5 s; the call can take that long). */
  async stopTask(upid: Upid, opts?: CallOptions): Promise<void> {
    await this.#transport.call(API.stopTask.request(upid), opts);
  }

  /**
   * Polls until the task stopped (around the end its earlier runs in the task list predict); returns
   * ok/warnings or throws a typed error.
   */
  waitTask(upid: Upid, opts: WaitOptions = {}): Promise<TaskOutcome> {
    return waitTask(this, upid, opts, this.#logger, this.#random);
  }

  /** Starts a task and waits for it: `run(() => client.start(node, "lxc", 101), { timeoutMs })`. */
  async run(
    start: Promise<Upid> | (() => Promise<Upid>),
    opts: WaitOptions = {},
  ): Promise<TaskOutcome> {
    const upid = await (typeof start === "function" ? start() : start);
    return this.waitTask(upid, opts);
  }

  // ---- changes (each returns the task's Upid) -------------------------------------------------------

  /** Restores a container from a vzdump archive into a new vmid (never starts it). */
  restore(node: string, o: RestoreOptions, opts?: CallOptions): Promise<Upid> {
    return this.#task(API.restore.request(node, o), opts);
  }

  backup(node: string, o: BackupOptions, opts?: CallOptions): Promise<Upid> {
    return this.#task(API.backup.request(node, o), opts);
  }

  snapshot(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: SnapshotOptions,
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(API.snapshot.request(node, kind, vmid, name, o), opts);
  }

  rollback(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: { start?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(API.rollback.request(node, kind, vmid, name, o), opts);
  }

  deleteSnapshot(
    node: string,
    kind: GuestKind,
    vmid: number,
    name: string,
    o?: { force?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(API.deleteSnapshot.request(node, kind, vmid, name, o), opts);
  }

  /**
   * Changes a guest's config. LXC: PVE applies it synchronously (resolves to undefined). QEMU: PVE runs a
   * `qmconfig` task (resolves to its Upid).
   */
  setConfig(
    node: string,
    kind: "lxc",
    vmid: number,
    changes: LxcConfigChanges,
    opts?: CallOptions,
  ): Promise<void>;
  setConfig(
    node: string,
    kind: "qemu",
    vmid: number,
    changes: QemuConfigChanges,
    opts?: CallOptions,
  ): Promise<Upid>;
  async setConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    changes: LxcConfigChanges | QemuConfigChanges,
    opts?: CallOptions,
  ): Promise<Upid | void> {
    if (kind === "qemu")
      return this.#task(
        API.setConfig.request(node, "qemu", vmid, changes as QemuConfigChanges),
        opts,
      );
    const req = API.setConfig.request(node, "lxc", vmid, changes as LxcConfigChanges);
    API.setConfig.result(await this.#data(req, opts), req);
  }

  start(node: string, kind: GuestKind, vmid: number, opts?: CallOptions): Promise<Upid> {
    return this.#task(API.start.request(node, kind, vmid), opts);
  }

  /** Hard stop. `overruleShutdown` aborts a running shutdown task first. */
  stop(
    node: string,
    kind: GuestKind,
    vmid: number,
    o?: { overruleShutdown?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(API.stop.request(node, kind, vmid, o), opts);
  }

  /** Clean shutdown; `timeout` in seconds, `forceStop` stops the guest if it does not comply. */
  shutdown(
    node: string,
    kind: GuestKind,
    vmid: number,
    o?: { timeout?: number; forceStop?: boolean },
    opts?: CallOptions,
  ): Promise<Upid> {
    return this.#task(API.shutdown.request(node, kind, vmid, o), opts);
  }

  // ---- preflight ------------------------------------------------------------------------------------

  /** Reads /version and /access/permissions and reports, per operation, which privileges are missing. */
  async checkAccess(scope: AccessScope | string, opts?: CallOptions): Promise<AccessReport> {
    const s = typeof scope === "string" ? { node: scope } : scope;
    const [version, perms] = await Promise.all([
      this.version(opts),
      this.permissions(undefined, opts),
    ]);
    return evaluateAccess(version, perms, s);
  }

  // ---- internals ------------------------------------------------------------------------------------

  /** A read: the operation's request, sent, and its answer checked by the operation's result check. */
  async #read<A extends readonly unknown[], T>(
    op: { readonly request: (...args: A) => PveRequest; readonly result: ResultCheck<T> },
    opts: CallOptions | undefined,
    ...args: A
  ): Promise<T> {
    const req = op.request(...args);
    return op.result(await this.#data(req, opts), req);
  }

  async #data(req: PveRequest, opts: CallOptions | undefined): Promise<unknown> {
    return (await this.#transport.call(req, opts)).data;
  }

  async #task(req: PveRequest, opts: CallOptions | undefined): Promise<Upid> {
    return taskStarted(await this.#data(req, opts), req);
  }
}
