// The one place that starts processes: an absolute binary with an argv array, no shell, a fixed environment,
// stdin closed, a deadline and an output cap. Each run lands in the request's audit record.
import { spawn } from "node:child_process";
import { HelperFailure, type HandlerContext } from "@felhom/helper-protocol";
import type { Argv } from "./argv.js";
import type { Limits } from "./config.js";

/** The whole environment of every tool: nothing is inherited from the helper's own. */
export const TOOL_ENV = Object.freeze({ PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" });

export type ExecResult = { exitCode: number; stdout: string; stderr: string };

/**
 * Runs argv; resolves with any exit code, rejects (with a contract code) only if the tool could not finish.
 * By default the tool is killed (SIGKILL) at its deadline or when it prints more than the output cap. With
 * `{ kill: false }` (pct create: a killed create leaves a locked container) it is never killed: output past the
 * cap is discarded and it runs to its end.
 */
export type Run = (argv: Argv, opts?: { timeoutMs?: number; kill?: false }) => Promise<ExecResult>;

/** A runner whose every call is noted in the request's audit record as `exec: [{argv, exitCode, ms}]`. */
export function runnerFor(ctx: HandlerContext, limits: Limits): Run {
  const log: Array<{ argv: Argv; exitCode?: number | null; ms?: number; discarded?: number }> = [];
  ctx.note({ exec: log });
  return (argv, { timeoutMs = limits.toolTimeoutMs, kill = true } = {}) =>
    new Promise((resolve, reject) => {
      const entry: (typeof log)[number] = { argv };
      const started = performance.now();
      log.push(entry);
      const stdio: ["ignore", "pipe", "pipe"] = ["ignore", "pipe", "pipe"];
      const child = spawn(argv[0], argv.slice(1), { shell: false, env: TOOL_ENV, stdio });
      const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      const room = { stdout: limits.maxOutputBytes, stderr: limits.maxOutputBytes };
      let failure: "" | "TIMEOUT" | "TOOL_OUTPUT_INVALID" | "TOOL_UNAVAILABLE" | "TOOL_FAILED" = "";
      // SIGKILL: a tool that ignored SIGTERM would hold its request, and a lock or the mount queue, forever.
      const stop = (why: typeof failure): void => void ((failure ||= why), child.kill("SIGKILL"));
      const timer = kill ? setTimeout(() => stop("TIMEOUT"), timeoutMs) : undefined;
      for (const name of ["stdout", "stderr"] as const)
        child[name].on("data", (chunk: Buffer) => {
          const keep = chunk.subarray(0, room[name]);
          room[name] -= keep.length;
          kept[name].push(keep);
          if (keep.length === chunk.length) return;
          if (kill) return stop("TOOL_OUTPUT_INVALID");
          entry.discarded = (entry.discarded ?? 0) + chunk.length - keep.length;
        });
      const finish = (code: number | null): void => {
        clearTimeout(timer);
        entry.ms = Math.round(performance.now() - started);
        entry.exitCode = failure === "" ? code : null;
        if (entry.exitCode === null) return reject(new HelperFailure(failure || "TOOL_FAILED"));
        const text = (name: keyof typeof kept): string =>
          Buffer.concat(kept[name]).toString("utf8");
        resolve({ exitCode: entry.exitCode, stdout: text("stdout"), stderr: text("stderr") });
      };
      child.on("error", (err: NodeJS.ErrnoException) => {
        failure ||=
          err.code === "ENOENT" || err.code === "EACCES" ? "TOOL_UNAVAILABLE" : "TOOL_FAILED";
        if (child.pid === undefined) finish(null); // never started: no close follows
      });
      child.on("close", finish);
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
