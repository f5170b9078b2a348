// The read side of the Client and its plumbing: options, the connection pool, validated reads, and task
// status, log and waiting. Client (client.ts) adds the calls that change state.
import type { Dispatcher } from "undici";
import { PveArgumentError, PveResponseShapeError } from "./errors.js";
import { Transport, type CallOptions, type RetryOptions } from "./http.js";
import { silentLogger, type Logger } from "./logger.js";
import { ops, type TaskListFilters, type Timeframe } from "./operations.js";
import type { PveRequest } from "./request.js";
import {
  LxcConfigSchema,
  QemuConfigSchema,
  type LxcConfig,
  type QemuConfig,
} from "./schemas/guest-config.js";
import {
  parseLxcList,
  parseLxcStatus,
  parseQemuList,
  parseQemuStatus,
  type GuestKind,
  type GuestListItem,
  type GuestStatus,
  type LxcListItem,
  type QemuListItem,
} from "./schemas/guests.js";
import {
  parseNodeStatus,
  parseRrd,
  PermissionsSchema,
  VersionSchema,
  type NodeStatus,
  type Permissions,
  type PveVersion,
  type RrdSample,
} from "./schemas/node.js";
import { parseClusterResources, type ClusterResource } from "./schemas/resources.js";
import { parseSnapshots, type Snapshot } from "./schemas/snapshots.js";
import {
  parseStorageContent,
  parseStorageList,
  type StorageInfo,
  type StorageVolume,
} from "./schemas/storage.js";
import {
  parseTaskList,
  parseTaskLogLines,
  parseTaskStatus,
  type TaskListItem,
  type TaskLogLine,
  type TaskStatus,
} from "./schemas/tasks.js";
import { check, checkZod } from "./schemas/validate.js";
import { waitTask, type TaskOutcome, type WaitOptions } from "./tasks.js";
import { createAgent, type TlsOptions } from "./tls.js";
import { toApiToken, type ApiToken, type TokenInput } from "./token.js";
import type { Upid } from "./upid.js";

export interface ClientOptions {
  /** `https://HOST:8006` (a trailing `/api2/json` is accepted). */
  baseUrl: string;
  /** `USER@REALM!TOKENID=SECRET`, `{ id, secret }` or an ApiToken. */
  token: TokenInput;
  /** How to trust the server. Required unless `dispatcher` is given. */
  tls?: TlsOptions;
  timeouts?: {
    /** Per HTTP request, separate from task deadlines. Default 30 s. */
    requestMs?: number;
    /** TCP + TLS connect. Default 10 s. */
    connectMs?: number;
  };
  retry?: RetryOptions;
  logger?: Logger;
  /** An undici dispatcher to use instead of the client's own Agent (e.g. a MockAgent). */
  dispatcher?: Dispatcher;
  /** Largest accepted response body. Default 256 MiB. */
  maxResponseBytes?: number;
  /**
   * Most keep-alive connections to PVE at once, opened as needed and closed after 4 s idle. Default 16;
   * requests beyond it queue in the client. pveproxy accepts up to 800 connections per worker
   * (pve-http-server's AnyEvent.pm); a pool of 4 made parallel reads wait on each other (bench/README.md).
   */
  connections?: number;
  /** Random source for jitter (tests). */
  random?: () => number;
}

const DEFAULT_CONNECTIONS = 16;

export function parseBaseUrl(
  baseUrl: string,
  injected: boolean,
): { origin: string; basePath: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new PveArgumentError("baseUrl", "not a URL");
  }
  if (url.protocol !== "https:" && !(injected && url.protocol === "http:")) {
    throw new PveArgumentError("baseUrl", "must be https:// (the token would travel in clear)");
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new PveArgumentError("baseUrl", "must not carry credentials, query or fragment");
  }
  const prefix = url.pathname.replace(/\/+$/, "").replace(/\/api2\/json$/, "");
  return { origin: url.origin, basePath: `${prefix}/api2/json` };
}

export class ReadClient {
  readonly token: ApiToken;
  protected readonly transport: Transport;
  protected readonly logger: Logger;
  protected readonly random: () => number;
  readonly #ownedAgent: Dispatcher | undefined;

  constructor(options: ClientOptions) {
    this.token = toApiToken(options.token);
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    const { origin, basePath } = parseBaseUrl(options.baseUrl, options.dispatcher !== undefined);
    let dispatcher = options.dispatcher;
    if (!dispatcher) {
      if (!options.tls)
        throw new PveArgumentError("tls", "give ca, caFile, fingerprint256 or insecure");
      dispatcher = this.#ownedAgent = createAgent(options.tls, {
        connectMs: options.timeouts?.connectMs ?? 10_000,
        keepAliveMs: 4_000,
        connections: options.connections ?? DEFAULT_CONNECTIONS,
        logger: this.logger,
      });
    }
    this.transport = new Transport({
      origin,
      basePath,
      token: this.token,
      dispatcher,
      requestMs: options.timeouts?.requestMs ?? 30_000,
      retry: {
        attempts: options.retry?.attempts ?? 3,
        baseMs: options.retry?.baseMs ?? 200,
        maxMs: options.retry?.maxMs ?? 2_000,
      },
      logger: this.logger,
      maxResponseBytes: options.maxResponseBytes ?? 256 * 1024 * 1024,
      random: this.random,
    });
  }

  /** Closes the client's own connection pool (an injected dispatcher is left alone). */
  async close(): Promise<void> {
    await this.#ownedAgent?.close();
  }

  // ---- reads ----------------------------------------------------------------------------------------

  async version(opts?: CallOptions): Promise<PveVersion> {
    const req = ops.version();
    return checkZod(VersionSchema, await this.data(req, opts), req);
  }

  /** The token's effective permissions: ACL path → privilege → propagates. */
  async permissions(path?: string, opts?: CallOptions): Promise<Permissions> {
    const req = ops.permissions(path);
    return checkZod(PermissionsSchema, await this.data(req, opts), req);
  }

  async nodeStatus(node: string, opts?: CallOptions): Promise<NodeStatus> {
    const req = ops.nodeStatus(node);
    return check(parseNodeStatus, await this.data(req, opts), req);
  }

  async rrddata(
    node: string,
    q: { timeframe: Timeframe; cf?: "AVERAGE" | "MAX" },
    opts?: CallOptions,
  ): Promise<RrdSample[]> {
    const req = ops.rrddata(node, q.timeframe, q.cf);
    return check(parseRrd, await this.data(req, opts), req);
  }

  async clusterResources(
    q: { type?: "vm" | "storage" | "node" | "sdn" } = {},
    opts?: CallOptions,
  ): Promise<ClusterResource[]> {
    const req = ops.clusterResources(q.type);
    return check(parseClusterResources, await this.data(req, opts), req);
  }

  async lxcList(node: string, opts?: CallOptions): Promise<LxcListItem[]> {
    const req = ops.guestList(node, "lxc");
    return check(parseLxcList, await this.data(req, opts), req);
  }

  async qemuList(node: string, opts?: CallOptions): Promise<QemuListItem[]> {
    const req = ops.guestList(node, "qemu");
    return check(parseQemuList, await this.data(req, opts), req);
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

  async guestStatus(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<GuestStatus> {
    const req = ops.guestStatus(node, kind, vmid);
    const data = await this.data(req, opts);
    return kind === "lxc"
      ? { ...check(parseLxcStatus, data, req), kind: "lxc" }
      : { ...check(parseQemuStatus, data, req), kind: "qemu" };
  }

  guestConfig(node: string, kind: "lxc", vmid: number, opts?: CallOptions): Promise<LxcConfig>;
  guestConfig(node: string, kind: "qemu", vmid: number, opts?: CallOptions): Promise<QemuConfig>;
  guestConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<LxcConfig | QemuConfig>;
  async guestConfig(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<LxcConfig | QemuConfig> {
    const req = ops.guestConfig(node, kind, vmid);
    const data = await this.data(req, opts);
    return kind === "lxc"
      ? checkZod(LxcConfigSchema, data, req)
      : checkZod(QemuConfigSchema, data, req);
  }

  async storageList(node: string, opts?: CallOptions): Promise<StorageInfo[]> {
    const req = ops.storageList(node);
    return check(parseStorageList, await this.data(req, opts), req);
  }

  async storageContent(
    node: string,
    storage: string,
    filter: { content?: string; vmid?: number } = {},
    opts?: CallOptions,
  ): Promise<StorageVolume[]> {
    const req = ops.storageContent(node, storage, filter);
    return check(parseStorageContent, await this.data(req, opts), req);
  }

  async snapshots(
    node: string,
    kind: GuestKind,
    vmid: number,
    opts?: CallOptions,
  ): Promise<Snapshot[]> {
    const req = ops.snapshots(node, kind, vmid);
    return check(parseSnapshots, await this.data(req, opts), req);
  }

  // ---- tasks ----------------------------------------------------------------------------------------

  async taskList(
    node: string,
    filters: TaskListFilters = {},
    opts?: CallOptions,
  ): Promise<TaskListItem[]> {
    const req = ops.taskList(node, filters);
    return check(parseTaskList, await this.data(req, opts), req);
  }

  /** Status of a task, called on the node named in the UPID. */
  async taskStatus(upid: Upid, opts?: CallOptions): Promise<TaskStatus> {
    const req = ops.taskStatus(upid);
    return check(parseTaskStatus, await this.data(req, opts), req);
  }

  /** A page of the task log: `start` is a 0-based line offset; `total` counts all lines. */
  async taskLog(
    upid: Upid,
    range: { start?: number; limit?: number } = {},
    opts?: CallOptions,
  ): Promise<{ lines: TaskLogLine[]; total: number }> {
    const req = ops.taskLog(upid, range.start ?? 0, range.limit ?? 50);
    const env = await this.transport.call(req, opts);
    const lines = check(parseTaskLogLines, env.data, req);
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
    await this.transport.call(ops.stopTask(upid), opts);
  }

  /**
   * Polls until the task stopped (around the end its earlier runs in the task list predict); returns
   * ok/warnings or throws a typed error.
   */
  waitTask(upid: Upid, opts: WaitOptions = {}): Promise<TaskOutcome> {
    return waitTask(this, upid, opts, this.logger, this.random);
  }

  /** Starts a task and waits for it: `run(() => client.start(node, "lxc", 101), { timeoutMs })`. */
  async run(
    start: Promise<Upid> | (() => Promise<Upid>),
    opts: WaitOptions = {},
  ): Promise<TaskOutcome> {
    const upid = await (typeof start === "function" ? start() : start);
    return this.waitTask(upid, opts);
  }

  protected async data(req: PveRequest, opts: CallOptions | undefined): Promise<unknown> {
    return (await this.transport.call(req, opts)).data;
  }
}
