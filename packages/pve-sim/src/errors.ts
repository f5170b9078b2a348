// The simulator's error taxonomy: PVE's own error kinds (as the API answers them and as tasks print them) and
// the simulator's misuse errors, each with a stable string `code`.

export const SIM_ERROR_CODES = [
  "PVE_HTTP_ERROR",
  "PVE_TASK_INTERRUPTED",
  "SIM_INVALID_OPTION",
  "SIM_INVALID_STATE",
  "SIM_NOT_FOUND",
  "SIM_CLOSED",
] as const;

export type SimErrorCode = (typeof SIM_ERROR_CODES)[number];

const SIM_CODES: ReadonlySet<unknown> = new Set<unknown>(SIM_ERROR_CODES);

/** An Error's `code` (a plain object is never an error here: request parameters may carry a `code` key). */
const codeOf = (err: unknown): unknown =>
  err instanceof Error ? (err as { code?: unknown }).code : undefined;

/** True for every error of the simulator's taxonomy, matched by its stable `code` (not by class). */
export function isSimError(err: unknown): err is SimError {
  return SIM_CODES.has(codeOf(err));
}

/** True for an error as PVE raises it (code PVE_HTTP_ERROR): it carries `status` and `perlString()`. */
export function isPveApiError(err: unknown): err is PveApiError {
  return codeOf(err) === "PVE_HTTP_ERROR";
}

/** Base class; callers branch on `code`. */
export class SimError extends Error {
  readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = "SimError";
  }
}

/**
 * An error as PVE raises it: `die "text\n"` (status 500, no code) or a PVE::Exception with an HTTP code and
 * an optional per-parameter `errors` map. `message` keeps PVE's trailing newline.
 */
export class PveApiError extends SimError {
  readonly status: number;
  readonly errors: Record<string, string> | undefined;
  /** true for a PVE::Exception (stringifies as "CODE text"), false for a plain die. */
  readonly exception: boolean;

  /** `message` is kept as given except that PVE's die texts end in a newline (`newline` false keeps it bare). */
  constructor(
    status: number,
    message: string,
    errors?: Record<string, string>,
    exception = true,
    newline = true,
  ) {
    super("PVE_HTTP_ERROR", !newline || message.endsWith("\n") ? message : `${message}\n`);
    this.status = status;
    this.errors = errors;
    this.exception = exception;
    this.name = "PveApiError";
  }

  /** How Perl stringifies this error, e.g. when a worker dies with it ("403 Permission check failed (...)"). */
  perlString(): string {
    let text = this.exception ? `${this.status} ${this.message}` : this.message;
    for (const key of Object.keys(this.errors ?? {}).sort())
      text += `${key}: ${this.errors?.[key]}\n`;
    return text;
  }
}

/** raise_param_exc: 400 "Parameter verification failed." with per-parameter messages. */
export function paramError(errors: Record<string, string>): PveApiError {
  return new PveApiError(400, "Parameter verification failed.\n", errors);
}

/** raise_perm_exc: 403 "Permission check failed (what)". */
export function permError(what?: string): PveApiError {
  return new PveApiError(
    403,
    what ? `Permission check failed (${what})\n` : "Permission check failed\n",
  );
}

/** A plain `die "text\n"`: HTTP 500 with the text in the status line and `message`. */
export function dieError(text: string): PveApiError {
  return new PveApiError(500, text, undefined, false);
}

/** Thrown inside a task when it is stopped through DELETE /nodes/{node}/tasks/{upid}. */
export class TaskInterrupted extends SimError {
  constructor(text = "received interrupt") {
    super("PVE_TASK_INTERRUPTED", text);
    this.name = "TaskInterrupted";
  }
}

/** How Perl stringifies what code died with: a PVE error's perlString(), another Error's message, else String. */
export function perlText(err: unknown): string {
  if (isPveApiError(err)) return err.perlString();
  return err instanceof Error ? err.message : String(err);
}

/** The text a worker's `die` leaves after "TASK ERROR: " (chomped, newlines turned into spaces). */
export function taskErrorText(err: unknown): string {
  return perlText(err).replace(/\n$/, "").replace(/\n/g, " ");
}
