// The agent's one error taxonomy: stable string codes, and the exit code each kind of failure maps to
// (2 for bad input the user can fix in config or arguments, 1 for failures at run time).

/** Every stable code of the agent's taxonomy. */
export const AGENT_ERROR_CODES = [
  /** The config file, an environment override or an option is malformed or missing a field. */
  "AGENT_CONFIG_INVALID",
  /** The token file is missing, unreadable, malformed, or readable by group or others. */
  "AGENT_TOKEN_INVALID",
  /** A CLI argument is wrong (unknown subcommand or option, bad value, missing operand). */
  "AGENT_USAGE",
  /** A start-up check failed (TLS, /version, privileges, helper handshake). */
  "AGENT_STARTUP_FAILED",
  /** A PVE task ended in failure or could not be followed. */
  "AGENT_TASK_FAILED",
  /** The state file could not be written. */
  "AGENT_STATE_WRITE_FAILED",
  /** An operation was asked of a backend it does not belong to, or a backend is unavailable. */
  "AGENT_ROUTING",
] as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

const BAD_INPUT: ReadonlySet<AgentErrorCode> = new Set([
  "AGENT_CONFIG_INVALID",
  "AGENT_TOKEN_INVALID",
  "AGENT_USAGE",
]);

/** The agent's own errors. The message is always one line and never carries a secret. */
export class AgentError extends Error {
  override readonly name = "AgentError";
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.code = code;
  }

  /** 2 for bad input (config, token file, arguments), 1 for everything that fails at run time. */
  get exitCode(): 1 | 2 {
    return BAD_INPUT.has(this.code) ? 2 : 1;
  }
}

/** Thrown for a CLI argument error; carries the usage of the subcommand it concerns. */
export class UsageError extends AgentError {
  readonly usage: string;
  constructor(message: string, usage: string) {
    super("AGENT_USAGE", message);
    this.usage = usage;
  }
}

// C0 controls, DEL and C1 controls: never let them reach a terminal or a log line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Makes text safe to print on one line: control characters (newlines, escapes) become "?", and the result is
 * capped. Used for every message that may contain user input (config keys, argument values).
 */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(CONTROL, "?");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Quotes a user-supplied value for an error message: JSON quoting, control characters escaped, capped. */
export function quote(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

/**
 * Turns any thrown value into one printable line: `code: message` for errors with a stable code, the message
 * for other errors. Never a stack trace.
 */
export function describeError(err: unknown): string {
  if (isAgentError(err)) return err.message;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = typeof code === "string" && !err.message.startsWith(code) ? `${code}: ` : "";
    return oneLine(prefix + err.message);
  }
  return oneLine(String(err));
}

/** The process exit code for a failure: 2 for bad input, 1 otherwise. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return isAgentError(err) ? err.exitCode : 1;
}

const CODES: ReadonlySet<string> = new Set<string>(AGENT_ERROR_CODES);

/** True for the agent's own errors, matched by their stable code (not by class). */
export function isAgentError(err: unknown): err is AgentError {
  if (typeof err !== "object" || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && CODES.has(code) && "exitCode" in err;
}

/** True for a CLI argument error (it carries the subcommand's usage). */
export function isUsageError(err: unknown): err is UsageError {
  return isAgentError(err) && err.code === "AGENT_USAGE" && "usage" in err;
}
