// The client's one error taxonomy: every failure is a PveError with a stable `code`, so callers branch on
// codes, never on message text, and every error says whether the request may have reached PVE.
import type { Upid } from "./upid.js";

/** Every stable code of the taxonomy; callers match errors on these (see error-guards.ts). */
export const PVE_ERROR_CODES = [
  "PVE_HTTP",
  "PVE_AUTH",
  "PVE_PERMISSION",
  "PVE_LOCK_TIMEOUT",
  "PVE_LOCKED",
  "PVE_RESPONSE_SHAPE",
  "PVE_TASK_FAILED",
  "PVE_TASK_WARNINGS",
  "PVE_TASK_TIMEOUT",
  "PVE_TASK_CANCELLED",
  "PVE_TRANSPORT",
  "PVE_TLS_PIN_MISMATCH",
  "PVE_REQUEST_TIMEOUT",
  "PVE_ABORTED",
  "PVE_INVALID_ARGUMENT",
] as const;
export type PveErrorCode = (typeof PVE_ERROR_CODES)[number];

/** What the HTTP exchange looked like, for errors that came from an answer of the server. */
export interface HttpContext {
  readonly method: string;
  /** Path below /api2/json, percent-encoded as sent. */
  readonly path: string;
  readonly status: number;
  /** The reason phrase of the status line (PVE puts its message there too). */
  readonly statusText: string;
  /** PVE's per-parameter `errors` object, empty when absent. */
  readonly fieldErrors: Readonly<Record<string, string>>;
}

/** What the task looked like, for errors read from a task's exitstatus. */
export interface TaskContext {
  readonly upid: Upid;
  readonly exitstatus: string;
  /** The last lines of the task log (read from the end, so the final `TASK ERROR` line is included). */
  readonly logTail: readonly string[];
}

/** Names of AnyEvent::HTTP's pseudo statuses that pveproxy relays when it forwards a call (pve-http-server). */
export const PSEUDO_STATUS: Readonly<Record<number, { name: string; hint: string }>> = {
  595: {
    name: "connection failed",
    hint: "pveproxy could not connect to pvedaemon or to the target node",
  },
  596: {
    name: "TLS, send or header error",
    hint: "failure in TLS negotiation, request sending or header processing between pveproxy and the target (node-to-node TLS, not this client's)",
  },
  597: {
    name: "body error",
    hint: "failure while pveproxy received or processed the response body",
  },
  598: { name: "aborted", hint: "the forwarded request was aborted" },
  599: {
    name: "no usable response",
    hint: "other proxy failure, including a timeout or a garbled response from the target",
  },
};

/** Base class: `code` is stable, `message` is for humans, `cause` keeps the original error. */
export abstract class PveError extends Error {
  abstract readonly code: PveErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Any non-2xx answer that has no more specific class. */
export class PveHttpError extends PveError {
  readonly code = "PVE_HTTP" as const;
  readonly http: HttpContext;
  readonly status: number;
  /** For 595–599: the name AnyEvent::HTTP gives the pseudo status and a hint. */
  readonly pseudoStatus: { name: string; hint: string } | undefined;
  /** Set for mutating calls: PVE answered, so the request reached it and was not sent again. */
  readonly requestSent = true;
  constructor(message: string, http: HttpContext) {
    super(message);
    this.http = http;
    this.status = http.status;
    this.pseudoStatus = PSEUDO_STATUS[http.status];
  }
}

/** 401: the token is unknown, expired, disabled or its secret is wrong. */
export class PveAuthError extends PveError {
  readonly code = "PVE_AUTH" as const;
  readonly http: HttpContext;
  constructor(message: string, http: HttpContext) {
    super(message);
    this.http = http;
  }
}

/** A missing privilege: a 403, or a task that failed its permission check after the POST was accepted. */
export class PvePermissionError extends PveError {
  readonly code = "PVE_PERMISSION" as const;
  /** The ACL path PVE named, e.g. `/vms/100`, when it named one. */
  readonly aclPath: string | undefined;
  /** The privileges PVE named (any one of them would do when there are several). */
  readonly privileges: readonly string[];
  readonly http: HttpContext | undefined;
  readonly task: TaskContext | undefined;
  constructor(
    message: string,
    info: {
      aclPath?: string | undefined;
      privileges: readonly string[];
      http?: HttpContext;
      task?: TaskContext;
    },
  ) {
    super(message);
    this.aclPath = info.aclPath;
    this.privileges = info.privileges;
    this.http = info.http;
    this.task = info.task;
  }
}

/**
 * Lock trouble, from an HTTP answer or a task's exitstatus. `PVE_LOCK_TIMEOUT`: another operation held the
 * guest's config lock file (`can't lock file … - got timeout`). `PVE_LOCKED`: the guest carries a config lock
 * such as `backup` (`CT is locked (backup)`).
 */
export class PveLockError extends PveError {
  readonly code: "PVE_LOCK_TIMEOUT" | "PVE_LOCKED";
  /** The lock file PVE named (lock timeout). */
  readonly lockFile: string | undefined;
  /** The config lock reason PVE named, e.g. `backup` (locked). */
  readonly lock: string | undefined;
  readonly vmid: number | undefined;
  readonly http: HttpContext | undefined;
  readonly task: TaskContext | undefined;
  constructor(
    code: "PVE_LOCK_TIMEOUT" | "PVE_LOCKED",
    message: string,
    info: {
      lockFile?: string | undefined;
      lock?: string | undefined;
      vmid?: number | undefined;
      http?: HttpContext;
      task?: TaskContext;
    },
  ) {
    super(message);
    this.code = code;
    this.lockFile = info.lockFile;
    this.lock = info.lock;
    this.vmid = info.vmid;
    this.http = info.http;
    this.task = info.task;
  }
}

/** One problem found when validating a response. `path` points into the `data` of the answer. */
export interface ShapeIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A 2xx answer whose body did not have the documented shape. */
export class PveResponseShapeError extends PveError {
  readonly code = "PVE_RESPONSE_SHAPE" as const;
  readonly method: string;
  readonly path: string;
  readonly issues: readonly ShapeIssue[];
  constructor(method: string, path: string, issues: readonly ShapeIssue[]) {
    const shown = issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : "";
    super(`unexpected response shape for ${method} ${path}: ${shown}${more}`);
    this.method = method;
    this.path = path;
    this.issues = issues;
  }
}

/** Why a task failed, when it is not a lock or permission problem. */
export type TaskFailureKind = "error" | "interrupted" | "unexpected-status" | "unreadable-log";

/** The task stopped with an exitstatus other than `OK` or `WARNINGS: N`. */
export class PveTaskFailedError extends PveError {
  readonly code = "PVE_TASK_FAILED" as const;
  readonly kind: TaskFailureKind;
  readonly task: TaskContext;
  readonly upid: Upid;
  readonly exitstatus: string;
  readonly logTail: readonly string[];
  constructor(task: TaskContext, kind: TaskFailureKind) {
    super(`task ${task.upid.type} ${task.upid.id || "-"} failed: ${task.exitstatus}`);
    this.kind = kind;
    this.task = task;
    this.upid = task.upid;
    this.exitstatus = task.exitstatus;
    this.logTail = task.logTail;
  }
}

/** The task ended with `WARNINGS: N` and the caller did not opt in with `acceptWarnings`. */
export class PveTaskWarningsError extends PveError {
  readonly code = "PVE_TASK_WARNINGS" as const;
  readonly upid: Upid;
  readonly count: number;
  /** The `WARN: …` lines of the log. */
  readonly lines: readonly string[];
  constructor(upid: Upid, count: number, lines: readonly string[]) {
    super(`task ${upid.type} ${upid.id || "-"} ended with ${count} warning(s)`);
    this.upid = upid;
    this.count = count;
    this.lines = lines;
  }
}

/** waitTask's own deadline passed; the task itself may still be running on PVE. */
export class PveTaskTimeoutError extends PveError {
  readonly code = "PVE_TASK_TIMEOUT" as const;
  readonly upid: Upid;
  readonly timeoutMs: number;
  /** The last status read, if any. */
  readonly lastStatus: string | undefined;
  constructor(upid: Upid, timeoutMs: number, lastStatus: string | undefined) {
    super(
      `task ${upid.type} ${upid.id || "-"} did not finish within ${timeoutMs} ms (still ${lastStatus ?? "unknown"} on PVE)`,
    );
    this.upid = upid;
    this.timeoutMs = timeoutMs;
    this.lastStatus = lastStatus;
  }
}

/** The caller's AbortSignal ended the wait; the task itself keeps running on PVE unless stopped. */
export class PveTaskCancelledError extends PveError {
  readonly code = "PVE_TASK_CANCELLED" as const;
  readonly upid: Upid;
  constructor(upid: Upid, options?: { cause?: unknown }) {
    super(`waiting for task ${upid.type} ${upid.id || "-"} was cancelled`, options);
    this.upid = upid;
  }
}

const NOT_RESENT = "not retried: the request may have reached the server";

/** The connection failed (undici's or Node's `code` is kept in `transportCode`). */
export class PveTransportError extends PveError {
  readonly code = "PVE_TRANSPORT" as const;
  readonly transportCode: string | undefined;
  readonly method: string;
  readonly path: string;
  /** False: the request never left this process (safe to send again). True: it may have reached PVE. */
  readonly requestSent: boolean;
  readonly attempts: number;
  constructor(
    method: string,
    path: string,
    info: { requestSent: boolean; attempts: number; mutating: boolean; cause: unknown },
  ) {
    const transportCode = errorCodeOf(info.cause);
    const base = `${method} ${path}: ${describe(info.cause)}${transportCode ? ` (${transportCode})` : ""}`;
    const note = info.mutating && info.requestSent ? `; ${NOT_RESENT}` : "";
    super(`${base}${note}${info.attempts > 1 ? ` after ${info.attempts} attempts` : ""}`, {
      cause: info.cause,
    });
    this.transportCode = transportCode;
    this.method = method;
    this.path = path;
    this.requestSent = info.requestSent;
    this.attempts = info.attempts;
  }
}

/** The server's certificate does not have the pinned SHA-256 fingerprint (checked on every connection). */
export class PveTlsPinMismatchError extends PveError {
  readonly code = "PVE_TLS_PIN_MISMATCH" as const;
  readonly expected: string;
  /** The fingerprint the server presented; undefined when none could be read (e.g. a resumed session). */
  readonly actual: string | undefined;
  readonly host: string;
  constructor(host: string, expected: string, actual: string | undefined) {
    super(
      `TLS certificate of ${host} does not match the pinned SHA-256 fingerprint (got ${actual ?? "no certificate"})`,
    );
    this.expected = expected;
    this.actual = actual;
    this.host = host;
  }
}

/** The per-request timeout passed before a complete answer arrived. */
export class PveRequestTimeoutError extends PveError {
  readonly code = "PVE_REQUEST_TIMEOUT" as const;
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;
  readonly requestSent: boolean;
  readonly attempts: number;
  constructor(
    method: string,
    path: string,
    info: { timeoutMs: number; requestSent: boolean; attempts: number; mutating: boolean },
  ) {
    const note = info.mutating && info.requestSent ? `; ${NOT_RESENT}` : "";
    super(`${method} ${path}: no complete answer within ${info.timeoutMs} ms${note}`);
    this.method = method;
    this.path = path;
    this.timeoutMs = info.timeoutMs;
    this.requestSent = info.requestSent;
    this.attempts = info.attempts;
  }
}

/** The caller's AbortSignal aborted a request. */
export class PveAbortedError extends PveError {
  readonly code = "PVE_ABORTED" as const;
  readonly requestSent: boolean;
  constructor(method: string, path: string, requestSent: boolean, options?: { cause?: unknown }) {
    super(`${method} ${path}: aborted by the caller`, options);
    this.requestSent = requestSent;
  }
}

/** A value given to the client was refused before anything was sent (token, UPID, parameters). */
export class PveArgumentError extends PveError {
  readonly code = "PVE_INVALID_ARGUMENT" as const;
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`invalid ${argument}: ${message}`);
    this.argument = argument;
  }
}

function errorCodeOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = err.code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
