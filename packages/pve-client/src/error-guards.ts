// Matching errors by their stable `code`, never by class: type guards that hold across two copies of this
// package (or a bundled one), as undici's docs ask of its own errors.
import {
  PVE_ERROR_CODES,
  type PveAbortedError,
  type PveArgumentError,
  type PveAuthError,
  type PveErrorCode,
  type PveHttpError,
  type PveLockError,
  type PvePermissionError,
  type PveRequestTimeoutError,
  type PveResponseShapeError,
  type PveTaskCancelledError,
  type PveTaskFailedError,
  type PveTaskTimeoutError,
  type PveTaskWarningsError,
  type PveTlsPinMismatchError,
  type PveTransportError,
  type TaskContext,
} from "./errors.js";

/** Every error the client throws, as a union the guards narrow. */
export type AnyPveError =
  | PveHttpError
  | PveAuthError
  | PvePermissionError
  | PveLockError
  | PveResponseShapeError
  | PveTaskFailedError
  | PveTaskWarningsError
  | PveTaskTimeoutError
  | PveTaskCancelledError
  | PveTransportError
  | PveTlsPinMismatchError
  | PveRequestTimeoutError
  | PveAbortedError
  | PveArgumentError;

/** The error (or errors) that carry code `C`. */
export type PveErrorWithCode<C extends PveErrorCode> = AnyPveError extends infer E
  ? E extends { readonly code: infer K }
    ? C extends K
      ? E
      : never
    : never
  : never;

const CODES: ReadonlySet<string> = new Set<string>(PVE_ERROR_CODES);

function codeOf(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** True for every error of the client's taxonomy. */
export function isPveError(err: unknown): err is AnyPveError {
  const code = codeOf(err);
  return typeof code === "string" && CODES.has(code);
}

/** True when `err` is a client error with one of `codes`: `hasPveCode(err, "PVE_HTTP") && err.status`. */
export function hasPveCode<C extends PveErrorCode>(
  err: unknown,
  ...codes: readonly C[]
): err is PveErrorWithCode<C> {
  const code = codeOf(err);
  return isPveError(err) && (codes as readonly unknown[]).includes(code);
}

/** A permission or lock error raised by a task (not by the HTTP call): it carries the task. */
export type TaskRaisedError = (PvePermissionError | PveLockError) & { readonly task: TaskContext };

/** True for errors that describe how a task ended (failed, lock or permission inside the task, warnings). */
export function isTaskFailure(
  err: unknown,
): err is PveTaskFailedError | PveTaskWarningsError | TaskRaisedError {
  if (hasPveCode(err, "PVE_TASK_FAILED", "PVE_TASK_WARNINGS")) return true;
  return (
    hasPveCode(err, "PVE_PERMISSION", "PVE_LOCKED", "PVE_LOCK_TIMEOUT") && err.task !== undefined
  );
}
