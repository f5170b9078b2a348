// The one place that starts processes: an absolute binary with an argv array, no shell, a fixed environment,
// stdin closed, a timeout and an output cap. Each run lands in the request's audit record.
import { execFile, type ExecFileException } from "node:child_process";
import { HelperFailure, type HandlerContext } from "@felhom/helper-protocol";
import type { Argv } from "./argv.js";
import type { Limits } from "./config.js";

/** The whole environment of every tool: nothing is inherited from the helper's own. */
export const TOOL_ENV = Object.freeze({ PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" });

export type ExecResult = { exitCode: number; stdout: string; stderr: string };

/** Runs argv; resolves with any exit code, rejects (with a contract code) only if the tool could not finish. */
export type Run = (argv: Argv, timeoutMs?: number) => Promise<ExecResult>;

/** Why a tool did not run to an exit code: not installed, too much output, killed at its deadline, or else. */
const failure = (err: ExecFileException): HelperFailure => {
  if (err.code === "ENOENT" || err.code === "EACCES") return new HelperFailure("TOOL_UNAVAILABLE");
  if (err.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER")
    return new HelperFailure("TOOL_OUTPUT_INVALID");
  return new HelperFailure(err.killed ? "TIMEOUT" : "TOOL_FAILED");
};

/** A runner whose every call is noted in the request's audit record as `exec: [{argv, exitCode, ms}]`. */
export function runnerFor(ctx: HandlerContext, limits: Limits): Run {
  const log: Array<{ argv: Argv; exitCode?: number | null; ms?: number }> = [];
  ctx.note({ exec: log });
  return (argv, timeout = limits.toolTimeoutMs) =>
    new Promise((resolve, reject) => {
      const entry: (typeof log)[number] = { argv };
      const started = performance.now();
      log.push(entry);
      // SIGKILL: a tool that ignored SIGTERM would hold its request, and a lock or the mount queue, forever.
      const bounds = { timeout, killSignal: "SIGKILL", maxBuffer: limits.maxOutputBytes } as const;
      const options = { shell: false, env: TOOL_ENV, ...bounds };
      const child = execFile(argv[0], argv.slice(1), options, (err, stdout, stderr) => {
        entry.ms = Math.round(performance.now() - started);
        entry.exitCode =
          err === null ? 0 : typeof err.code === "number" && !err.killed ? err.code : null;
        if (entry.exitCode === null) reject(failure(err as ExecFileException));
        else resolve({ exitCode: entry.exitCode, stdout, stderr });
      });
      child.stdin?.end(); // no input: the tools read nothing
    });
}

/** Text from a tool made safe to return: control characters removed, length capped. */
export const printable = (text: string, max: number): string =>
  text.replace(/\p{Cc}/gu, "").slice(0, max);

/** JSON from a tool; output that does not parse is the tool's fault, not the agent's. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HelperFailure("TOOL_OUTPUT_INVALID");
  }
}

/** The object without its undefined fields, so that absent optional fields stay absent. */
export const defined = (o: object): object =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
