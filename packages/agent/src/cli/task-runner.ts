// Runs a task-starting command the way people expect: start, then wait by default while streaming the task log
// live with a progress line, and exit non-zero with the task's own error when it fails (the POST's 200 proves
// nothing). `--no-wait` prints the UPID and returns.
import { hasPveCode, isTaskFailure } from "@felhom/pve-client";
import type { TaskLogLine, Upid } from "@felhom/pve-client";
import { oneLine } from "../errors.js";
import type { CommandContext, CommandOutput } from "./command.js";
import type { OutStream } from "./io.js";
import type { ArgReader } from "./reader.js";

export interface FollowOptions {
  timeoutMs: number;
  acceptWarnings: boolean;
  /** Print the progress line even when stderr is not a terminal (one line per second). */
  progress: boolean;
}

/** Reads --no-wait, --timeout, --accept-warnings and --progress; call it before starting the task. */
export function taskOptions(args: ArgReader): FollowOptions & { noWait: boolean } {
  return {
    noWait: args.flag("no-wait"),
    timeoutMs: (args.number("timeout", 1, 7 * 86_400) ?? 3600) * 1000,
    acceptWarnings: args.flag("accept-warnings"),
    progress: args.flag("progress"),
  };
}

/** Starts a task with `start`, then (unless --no-wait) follows it to the end. */
export async function runTask(
  ctx: CommandContext,
  label: string,
  opts: FollowOptions & { noWait: boolean },
  start: () => Promise<Upid>,
): Promise<CommandOutput> {
  const upid = await start();
  if (opts.noWait) return { data: { upid: upid.raw, status: "started" }, text: upid.raw };
  return followTask(ctx, upid, label, opts);
}

/** A status line on stderr: rewritten in place on a terminal, one line per second when asked for otherwise. */
class ProgressLine {
  readonly #out: OutStream;
  readonly #tty: boolean;
  readonly #enabled: boolean;
  #shown = false;
  #lastPrinted = 0;

  constructor(out: OutStream, enabled: boolean, forced: boolean) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#enabled = enabled && (this.#tty || forced);
  }

  render(text: string): void {
    if (!this.#enabled) return;
    if (this.#tty) {
      this.#out.write(`\r\u001b[2K${text}`);
      this.#shown = true;
    } else if (performance.now() - this.#lastPrinted >= 1000) {
      this.#out.write(`${text}\n`);
      this.#lastPrinted = performance.now();
    }
  }

  clear(): void {
    if (this.#tty && this.#shown) this.#out.write("\r\u001b[2K");
    this.#shown = false;
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** Waits for a task, streaming its log to stdout (text mode) and a progress line to stderr. */
export async function followTask(
  ctx: CommandContext,
  upid: Upid,
  label: string,
  opts: FollowOptions,
): Promise<CommandOutput> {
  const host = await ctx.host();
  const { stdout, stderr } = ctx.io;
  const started = performance.now();
  let lines = 0;
  let last = "";
  const progress = new ProgressLine(stderr, !ctx.json, opts.progress);
  const tick = (): void =>
    progress.render(
      `… ${label}: running ${seconds(performance.now() - started)} s, ${lines} log lines${last ? ` · ${last}` : ""}`,
    );
  if (!ctx.json) stdout.write(`${label}: task ${upid.raw}\n`);
  const onLog = (line: TaskLogLine): void => {
    lines++;
    last = oneLine(line.t, 60);
    progress.clear();
    if (!ctx.json) stdout.write(`  │ ${oneLine(line.t, 300)}\n`);
    tick();
  };
  tick();
  const timer = setInterval(tick, 250);
  try {
    const outcome = await host.waitTask(upid, {
      onLog,
      timeoutMs: opts.timeoutMs,
      acceptWarnings: opts.acceptWarnings,
      signal: ctx.signal,
    });
    clearInterval(timer);
    progress.clear();
    const ms = Math.round(performance.now() - started);
    if (outcome.status === "warnings") {
      return {
        data: {
          upid: upid.raw,
          status: "warnings",
          count: outcome.count,
          warnings: outcome.lines,
          durationMs: ms,
        },
        text: `⚠ ${label}: finished with ${outcome.count} warning(s), accepted (${seconds(ms)} s)`,
      };
    }
    return {
      data: { upid: upid.raw, status: "ok", durationMs: ms },
      text: `✓ ${label}: OK (${seconds(ms)} s)`,
    };
  } catch (err) {
    clearInterval(timer);
    progress.clear();
    return failure(err, upid, label, Math.round(performance.now() - started));
  }
}

function failure(err: unknown, upid: Upid, label: string, ms: number): CommandOutput {
  const base = { upid: upid.raw, durationMs: ms };
  if (hasPveCode(err, "PVE_TASK_WARNINGS")) {
    return {
      data: { ...base, status: "warnings", count: err.count, warnings: err.lines, accepted: false },
      text: `✗ ${label}: ended with ${err.count} warning(s)`,
      exitCode: 1,
      error: `${label}: task ended with ${err.count} warning(s) (pass --accept-warnings to accept them)`,
    };
  }
  if (isTaskFailure(err)) {
    const task = err.code === "PVE_TASK_WARNINGS" ? undefined : err.task;
    const exitstatus = task?.exitstatus ?? err.message;
    return {
      data: {
        ...base,
        status: "failed",
        code: err.code,
        exitstatus,
        logTail: task?.logTail ?? [],
      },
      text: `✗ ${label}: FAILED: ${oneLine(exitstatus, 300)}`,
      exitCode: 1,
      error: `${label} failed inside the task: ${oneLine(exitstatus, 300)}`,
    };
  }
  if (hasPveCode(err, "PVE_TASK_TIMEOUT")) {
    return {
      data: { ...base, status: "timeout", lastStatus: err.lastStatus ?? null },
      text: `… ${label}: still running after ${seconds(err.timeoutMs)} s`,
      exitCode: 1,
      error: `${label}: gave up waiting (the task continues on PVE; follow it with: felhom task ${upid.raw} --follow)`,
    };
  }
  if (hasPveCode(err, "PVE_TASK_CANCELLED")) {
    return {
      data: { ...base, status: "detached" },
      text: `… ${label}: stopped following`,
      exitCode: 1,
      error: `${label}: stopped following (the task continues on PVE: felhom task ${upid.raw} --follow)`,
    };
  }
  throw err;
}
