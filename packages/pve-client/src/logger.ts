// The logging seam: a pino-compatible interface the caller injects, a no-op default, and the redaction used
// for request parameters, so no log line at any level carries the Authorization header or a secret.

type LogFn = (obj: object, msg?: string) => void;

/** The subset of pino's Logger the client uses (`(obj, msg)` call signature). */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** pino's level check; when present, the client skips building trace objects that would be dropped. */
  isLevelEnabled?: (level: string) => boolean;
}

const noop: LogFn = () => {};

/** A logger that drops everything. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  isLevelEnabled: () => false,
};

/** True when `level` would be written; assumes yes when the logger cannot tell. */
export function levelEnabled(logger: Logger, level: "trace" | "debug"): boolean {
  return logger.isLevelEnabled ? logger.isLevelEnabled(level) : logger !== silentLogger;
}

const SENSITIVE = /pass|secret|token|key|cipassword|ticket|csrf/i;

/** A copy of request parameters for logs: values of sensitive-looking keys replaced by `***`. */
export function redactParams(
  params: Readonly<Record<string, string>> | undefined,
): Record<string, string> | undefined {
  if (!params) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SENSITIVE.test(k) ? "***" : v;
  return out;
}
