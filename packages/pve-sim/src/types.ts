// The public types of @felhom/pve-sim: options, the running simulator handle, faults and recorded requests.
import type { AclEntry } from "./auth/access.js";
import type { SimClock } from "./clock.js";
import type { SimState } from "./state/state.js";

export interface SimOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Node name, default "pve". */
  node?: string;
  /** Seed of the PRNG behind MACs, secrets, task pids and usage figures (default 1). */
  seed?: number;
  /** Injectable clock for tasks, locks and time stamps (default: real time). */
  clock?: SimClock;
  /** Default duration of simulated tasks in clock ms (default 300). */
  taskDurationMs?: number;
  /** Durations per task type, e.g. { vzdump: 2000, vzrestore: 1000 }. */
  taskDurations?: Record<string, number>;
  /** Synthetic guests added for large-list benchmarks (vmids from 1000). */
  extraGuests?: number;
  /** Window after creation in which status/log/stop answer "no such task" (default 25 ms; 0 disables). */
  earlyNoSuchTaskMs?: number;
  /** Do not log to stderr. */
  quiet?: boolean;
  /** Validate every slice-1 response against the schema's `returns` and fail loudly (tests; default false). */
  validateResponses?: boolean;
  /** How long lock_config waits for a config lock, in clock ms (PVE: 10 s; default 10000). */
  lockTimeoutMs?: number;
  /** Delay of 401 answers in real ms (PVE delays them by 3 s; default 0). */
  authFailureDelayMs?: number;
  /** Keep at most this many recorded requests (oldest dropped; default 100000). */
  maxRecordedRequests?: number;
  /** Secret of the /_sim admin endpoint (default: random). */
  adminSecret?: string;
  /** Fixed secret for the default token (default: derived from the seed). */
  tokenSecret?: string;
  /** Load the sample node (default true); false starts with empty storages and no guests. */
  sampleData?: boolean;
}

export interface IssuedTokenInfo {
  id: string;
  secret: string;
  /** "ID=SECRET", ready for `Authorization: PVEAPIToken=…`. */
  value: string;
}

export interface AddTokenSpec {
  /** "user@realm!name". */
  id: string;
  /** Privilege separation, default true (as PVE creates tokens). */
  privsep?: boolean;
  /** Token ACL (privsep) or the owning user's ACL (no privsep). `propagate` defaults to true. */
  acl?: AclEntry[];
  /** ACL of the owning user if this call creates it (default: all privileges on "/"). */
  userAcl?: AclEntry[];
  secret?: string;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path after /api2/json (or the full path for requests outside it). */
  path: string;
  /** Merged query and body parameters as received (strings, or JSON values). */
  params: Record<string, unknown>;
  /** POST, PUT or DELETE. */
  mutating: boolean;
  /** Clock time (ms) when it arrived. */
  at: number;
  /** The token that sent it, once authenticated (never the secret). */
  authid?: string;
  /** Whether it reached its handler (and so may have changed state). */
  applied: boolean;
  /** HTTP status answered; undefined if the connection was reset or is still open. */
  status?: number;
  /** The UPID of the task it started, if any. */
  upid?: string;
}

export type FaultKind =
  | { type: "latency"; ms: number }
  | { type: "reset-before-read" }
  | { type: "reset-after-read" }
  | { type: "status"; status: number; statusText?: string; bodyless?: boolean }
  | { type: "data-null" }
  | { type: "task-outcome"; outcome: "error" | "warnings"; message?: string; warnings?: number };

export interface FaultRule {
  method?: string | string[];
  /** Matched against the path after /api2/json: a string must be equal, a RegExp must match. */
  path?: RegExp | string;
  /** Apply to the next N matching requests (default unlimited). */
  times?: number;
  /** 0..1, drawn from the seeded PRNG. */
  probability?: number;
  kind: FaultKind;
}

export interface FaultHandle {
  remove(): void;
  readonly hits: number;
}

export interface SimFaults {
  add(rule: FaultRule): FaultHandle;
  clear(): void;
}

export interface Sim {
  /** "https://127.0.0.1:PORT" (API under /api2/json). */
  url: string;
  port: number;
  node: string;
  /** SHA-256 fingerprint of the certificate, "AB:CD:…". */
  fingerprint256: string;
  /** PEM of the self-signed certificate (usable as a CA). */
  ca: string;
  /** A token with every privilege (root@pam's, without privilege separation). */
  token: IssuedTokenInfo;
  addToken(spec: AddTokenSpec): IssuedTokenInfo;
  /** Creates (or replaces) a user with an ACL. */
  addUser(userid: string, acl?: AclEntry[]): void;
  state: SimState;
  faults: SimFaults;
  requests: RecordedRequest[];
  clock: SimClock;
  /** Secret for the /_sim admin endpoint (header `Authorization: PVESimAdmin <secret>`). */
  adminSecret: string;
  close(): Promise<void>;
}
