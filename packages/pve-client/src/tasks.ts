// Waiting for a PVE task: polls its status on the schedule of poll-schedule.ts (around the expected end when
// the caller or the task list's earlier runs tell it), rides out the early "no such task" window and transient
// failures of the status call, streams new log lines, and turns the final exitstatus into a typed outcome or a typed
// error (never trusting the POST's 200).
import {
  type PveError,
  PveTaskCancelledError,
  PveTaskFailedError,
  PveTaskTimeoutError,
  PveTaskWarningsError,
  type TaskContext,
  type TaskFailureKind,
} from "./errors.js";
import { hasPveCode, isPveError } from "./error-guards.js";
import { isFatalTransportCode, type CallOptions } from "./http.js";
import type { Logger } from "./logger.js";
import { nextPollDelay, type PollSchedule } from "./poll-schedule.js";
import { classifyPveMessage } from "./pve-messages.js";
import type { TaskListFilters } from "./api/options.js";
import type { TaskListItem, TaskLogLine, TaskStatus } from "./schemas/tasks.js";
import { sleep } from "./sleep.js";
import { earlierRunsQuery, estimateFromTaskList } from "./task-estimate.js";
import type { Upid } from "./upid.js";

export interface WaitOptions {
  signal?: AbortSignal;
  /** The wait's own deadline (not the task's). Default 30 minutes. */
  timeoutMs?: number;
  /** Return `{status: "warnings"}` for `WARNINGS: N` instead of throwing PveTaskWarningsError. */
  acceptWarnings?: boolean;
  /** Called for every new log line, in order, while the task runs and after it stops. */
  onLog?: (line: TaskLogLine) => void;
  /** First and smallest poll interval. Default 25 ms. */
  pollMinMs?: number;
  /** Largest poll interval. Default 2000 ms. */
  pollMaxMs?: number;
  /**
   * Poll interval as a fraction of the time waited so far (at most 100 ms during the first 2 s, then up to
   * `pollMaxMs`). Default 0.2.
   */
  pollRatio?: number;
  /**
   * The task's expected duration (ms from the start of the wait), if known; overrides the estimate from the
   * task list. Then one early poll, none until 96 % of it (for 10 s and more, safety polls at
   * most E/2 and 30 s apart), polls every 2 % of it until 110 %, then the normal schedule restarted at 96 %:
   * far fewer requests, at the cost of noticing a failure part-way through only at the next of those polls.
   */
  expectedMs?: number;
  /**
   * Without `expectedMs`, read the node's task list for this guest's earlier runs of this task type (alongside
   * the first status poll) and expect the same duration (task-estimate.ts). Default true.
   */
  estimateFromTaskList?: boolean;
  /** How long a 400 "no such task" counts as "not visible yet". Default 10 s. */
  noSuchTaskGraceMs?: number;
  /** Log lines kept in a failure's `logTail`. Default 50. */
  logTailLines?: number;
}

export type TaskOutcome =
  { status: "ok"; upid: Upid } | { status: "warnings"; upid: Upid; count: number; lines: string[] };

/** What waitTask needs from the client; without `taskList` it waits on the plain schedule. */
export interface TaskReader {
  taskList?(node: string, filters: TaskListFilters, opts?: CallOptions): Promise<TaskListItem[]>;
  taskStatus(upid: Upid, opts?: CallOptions): Promise<TaskStatus>;
  taskLog(
    upid: Upid,
    range: { start: number; limit: number },
    opts?: CallOptions,
  ): Promise<{ lines: TaskLogLine[]; total: number }>;
}

const WARNINGS = /^WARNINGS: (\d+)$/;
const NO_SUCH_TASK = /no such task/i;
const PAGE = 500;

/** Transient trouble of the status call itself (not of the task): keep polling. */
const MAX_BAD_ANSWERS = 5;

function isTransient(err: unknown): boolean {
  if (hasPveCode(err, "PVE_TRANSPORT")) return !isFatalTransportCode(err.transportCode);
  if (hasPveCode(err, "PVE_REQUEST_TIMEOUT")) return true;
  return hasPveCode(err, "PVE_HTTP") && err.status >= 500;
}

/** The time waitTask runs on: the real one, or a virtual one in tests. */
export interface WaitClock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realWaitClock: WaitClock = { now: () => performance.now(), sleep };

/**
 * Polls until the task stopped; returns ok/warnings or throws a typed error. The expected duration is
 * `opts.expectedMs`, else the estimate from the task list once it has answered, else none.
 */
export async function waitTask(
  reader: TaskReader,
  upid: Upid,
  opts: WaitOptions,
  logger: Logger,
  random: () => number = Math.random,
  clock: WaitClock = realWaitClock,
): Promise<TaskOutcome> {
  // The task-list read runs alongside the first polls; it ends with the wait (or the caller's signal).
  const estimating = new AbortController();
  try {
    return await pollUntilStopped(reader, upid, opts, logger, random, clock, estimating.signal);
  } finally {
    estimating.abort();
  }
}

async function pollUntilStopped(
  reader: TaskReader,
  upid: Upid,
  opts: WaitOptions,
  logger: Logger,
  random: () => number,
  clock: WaitClock,
  waitEnded: AbortSignal,
): Promise<TaskOutcome> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const schedule: PollSchedule = {
    minMs: opts.pollMinMs ?? 25,
    maxMs: Math.max(opts.pollMinMs ?? 25, opts.pollMaxMs ?? 2000),
    ratio: opts.pollRatio ?? 0.2,
    expectedMs: undefined,
  };
  const grace = opts.noSuchTaskGraceMs ?? 10_000;
  const started = clock.now();
  const listSignal = opts.signal ? AbortSignal.any([opts.signal, waitEnded]) : waitEnded;
  expectDuration(reader, upid, opts, logger, clock, listSignal, schedule);
  const deadline = started + timeoutMs;
  const stream = new LogStream(reader, upid, opts.onLog);
  let last: TaskStatus | undefined;

  const cancelled = (): never => {
    throw new PveTaskCancelledError(upid, { cause: opts.signal?.reason });
  };
  const guarded = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      if (opts.signal?.aborted) cancelled();
      throw err;
    }
  };

  // A garbled status answer (e.g. `data: null` from a proxy hiccup) is polled again, a few times in a row at most.
  let badAnswers = 0;
  for (let polls = 0; ; polls++) {
    const elapsed = clock.now() - started;
    const delay = Math.min(
      nextPollDelay(schedule, elapsed, polls, random()),
      deadline - clock.now(),
    );
    if (delay > 0) await clock.sleep(delay, opts.signal).catch(cancelled);
    if (opts.signal?.aborted) cancelled();
    if (clock.now() >= deadline) throw new PveTaskTimeoutError(upid, timeoutMs, last?.status);
    const call: CallOptions = {
      timeoutMs: Math.max(1, Math.min(30_000, deadline - clock.now())),
    };
    if (opts.signal) call.signal = opts.signal;
    try {
      if (opts.onLog && last !== undefined) await guarded(stream.pull(call));
      last = await guarded(reader.taskStatus(upid, call));
      badAnswers = 0;
    } catch (err) {
      if (hasPveCode(err, "PVE_HTTP") && err.status === 400 && NO_SUCH_TASK.test(err.message)) {
        if (clock.now() - started < grace) continue;
      } else if (
        isTransient(err) ||
        (hasPveCode(err, "PVE_RESPONSE_SHAPE") && ++badAnswers <= MAX_BAD_ANSWERS)
      ) {
        logger.debug(
          { upid: upid.raw, polls, err: isPveError(err) ? err.code : undefined },
          "pve task poll failed; retrying",
        );
        continue;
      }
      throw err;
    }
    if (last.status !== "stopped") continue;
    const stoppedMs = clock.now() - started;
    logger.debug(
      { upid: upid.raw, exitstatus: last.exitstatus, polls: polls + 1, ms: Math.round(stoppedMs) },
      "pve task stopped",
    );
    const exitstatus = last.exitstatus ?? "";
    const w = WARNINGS.exec(exitstatus);
    if (opts.onLog) await guarded(stream.drain(call));
    if (exitstatus === "OK") return { status: "ok", upid };
    if (w) {
      const lines = (await guarded(readAll(stream, call)))
        .map((l) => l.t)
        .filter((t) => t.startsWith("WARN: "));
      const count = Number(w[1]);
      if (opts.acceptWarnings) return { status: "warnings", upid, count, lines };
      throw new PveTaskWarningsError(upid, count, lines);
    }
    const logTail = await guarded(readTail(reader, upid, opts.logTailLines ?? 50, call));
    throw taskFailure({ upid, exitstatus, logTail });
  }
}

/**
 * Sets `schedule.expectedMs`: to the caller's hint at once, or to the estimate from the task list when that
 * read answers (in the background, so it adds no latency; until then, and if it fails, the plain schedule).
 * Logs the outcome once as "pve task wait estimate" with its `source`: hint, tasks or none.
 */
function expectDuration(
  reader: TaskReader,
  upid: Upid,
  opts: WaitOptions,
  logger: Logger,
  clock: WaitClock,
  signal: AbortSignal,
  schedule: PollSchedule,
): void {
  const say = (fields: object): void =>
    logger.debug({ upid: upid.raw, ...fields }, "pve task wait estimate");
  if (opts.expectedMs !== undefined && opts.expectedMs > 0) {
    schedule.expectedMs = opts.expectedMs;
    say({ source: "hint", expectedMs: opts.expectedMs });
    return;
  }
  const query = earlierRunsQuery(upid);
  if (opts.estimateFromTaskList === false || !reader.taskList || !query) {
    say({ source: "none" });
    return;
  }
  const t0 = clock.now();
  reader.taskList(upid.node, query, { signal, timeoutMs: LIST_TIMEOUT_MS }).then(
    (rows) => {
      const e = estimateFromTaskList(upid, rows);
      if (e && !signal.aborted) schedule.expectedMs = e.ms;
      say({
        source: e ? "tasks" : "none",
        expectedMs: e?.ms,
        samples: e?.samples ?? 0,
        rows: rows.length,
        listMs: Math.round(clock.now() - t0),
      });
    },
    (err: unknown) =>
      say({
        source: "none",
        listFailed: signal.aborted ? "the wait ended first" : isPveError(err) ? err.code : "error",
      }),
  );
}

/** The task-list read gets this long; a wait that needs it longer runs on the plain schedule meanwhile. */
const LIST_TIMEOUT_MS = 10_000;

const VZDUMP_GUEST_FAILURE = /^ERROR: Backup of VM \d+ failed - (.*)$/;

/** The typed error for a task that ended with anything but OK or WARNINGS. */
export function taskFailure(task: TaskContext): PveError {
  const message = `task ${task.upid.type} ${task.upid.id || "-"} failed: ${task.exitstatus}`;
  const special = classifyPveMessage(task.exitstatus, message, { task });
  if (special) return special;
  // vzdump ends every failure in "job errors"; the cause is its per-guest line in the log
  // (PVE::VZDump: "ERROR: Backup of VM <vmid> failed - <message>"), which may be a lock or a permission.
  if (task.upid.type === "vzdump" && task.exitstatus === "job errors") {
    for (const line of task.logTail) {
      const cause = VZDUMP_GUEST_FAILURE.exec(line)?.[1];
      const typed = cause
        ? classifyPveMessage(cause, `${message} (${cause})`, { task })
        : undefined;
      if (typed) return typed;
    }
  }
  let kind: TaskFailureKind = "error";
  if (task.exitstatus === "received interrupt") kind = "interrupted";
  else if (task.exitstatus === "unexpected status" || task.exitstatus === "")
    kind = "unexpected-status";
  else if (/^unable to (?:open file|get last line)/.test(task.exitstatus)) kind = "unreadable-log";
  return new PveTaskFailedError(task, kind);
}

/** The last `n` lines: one cheap call for the total, one for the tail, so `TASK ERROR` is never cut off. */
async function readTail(
  reader: TaskReader,
  upid: Upid,
  n: number,
  call: CallOptions,
): Promise<string[]> {
  try {
    const probe = await reader.taskLog(upid, { start: 1_000_000_000, limit: 1 }, call);
    const start = Math.max(0, probe.total - n);
    const page = await reader.taskLog(upid, { start, limit: n }, call);
    return page.lines.map((l) => l.t);
  } catch (err) {
    if (isPveError(err) && !isTransient(err)) throw err;
    return [];
  }
}

async function readAll(stream: LogStream, call: CallOptions): Promise<TaskLogLine[]> {
  if (stream.seen.length > 0 || stream.enabled) return stream.seen;
  await stream.drain(call);
  return stream.seen;
}

/** Follows a task log by line number, handing each new line to `onLog` exactly once. */
class LogStream {
  readonly seen: TaskLogLine[] = [];
  readonly enabled: boolean;
  readonly #reader: TaskReader;
  readonly #upid: Upid;
  readonly #onLog: ((line: TaskLogLine) => void) | undefined;
  #next = 0;
  constructor(reader: TaskReader, upid: Upid, onLog: ((line: TaskLogLine) => void) | undefined) {
    this.#reader = reader;
    this.#upid = upid;
    this.#onLog = onLog;
    this.enabled = onLog !== undefined;
  }

  /** Reads one page of new lines (while the task runs). */
  async pull(call: CallOptions, final = false): Promise<number> {
    let page: { lines: TaskLogLine[]; total: number };
    try {
      page = await this.#reader.taskLog(this.#upid, { start: this.#next, limit: PAGE }, call);
    } catch (err) {
      if (!final && (isTransient(err) || (hasPveCode(err, "PVE_HTTP") && err.status === 400)))
        return 0;
      throw err;
    }
    // PVE answers an empty log with one fake "no content" line; skip it.
    if (page.total <= 1 && page.lines.length === 1 && page.lines[0]?.t === "no content") return 0;
    let fresh = 0;
    for (const line of page.lines) {
      if (line.n <= this.#next) continue;
      this.#next = line.n;
      this.seen.push(line);
      fresh++;
      this.#onLog?.(line);
    }
    return fresh;
  }

  /** Reads everything that is left (after the task stopped). */
  async drain(call: CallOptions): Promise<void> {
    while ((await this.pull(call, true)) === PAGE);
  }
}
