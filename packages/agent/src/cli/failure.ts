// The CLI's one failure taxonomy: whatever a command threw (the agent's, the pve-client's or the helper's
// error, or anything else) becomes one code, one line and one exit status, matched by stable code only.
import { isHelperError } from "@felhom/helper-protocol";
import { isPveError } from "@felhom/pve-client";
import { isAgentError, isUsageError, oneLine } from "../errors.js";
import { helperHint } from "../helper-hints.js";

export interface CliFailure {
  /** The stable code (`AGENT_…`, `PVE_…`, `HELPER_…`), or `ERROR` for anything without one. */
  readonly code: string;
  /** One printable line, prefixed with the backend that failed (`PVE: `, `root helper: `). */
  readonly message: string;
  /** 2 for bad input (config, token file, arguments), 1 for failures at run time. */
  readonly exit: 1 | 2;
  /** For argument errors: the subcommand's usage, printed after the message. */
  readonly usage?: string;
  /** For helper errors: what to do about it (helper-hints.ts). */
  readonly hint?: string;
}

export function cliFailure(err: unknown): CliFailure {
  if (isUsageError(err)) return { code: err.code, message: err.message, exit: 2, usage: err.usage };
  if (isAgentError(err)) return { code: err.code, message: line(err.message), exit: err.exitCode };
  if (isPveError(err)) {
    // A value the client refused before sending anything is bad input, like an argument error.
    if (err.code === "PVE_INVALID_ARGUMENT")
      return { code: err.code, message: line(err.message), exit: 2 };
    return { code: err.code, message: line(`PVE: ${err.message}`), exit: 1 };
  }
  if (isHelperError(err)) {
    const hint = helperHint(err);
    return {
      code: err.code,
      message: line(`root helper: ${err.message}`),
      exit: 1,
      ...(hint !== undefined ? { hint } : {}),
    };
  }
  return {
    code: "ERROR",
    message: line(err instanceof Error ? err.message : String(err)),
    exit: 1,
  };
}

const line = (text: string): string => oneLine(text, 400);
