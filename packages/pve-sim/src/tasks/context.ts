// What a running task's script sees: its log, warnings, simulated time, interruption, and config locks.
import type { SimClock, TimerHandle } from "../clock.js";
import { TaskInterrupted } from "../errors.js";
import type { FlockTable, Release } from "./flock.js";

/** The outcome a fault forces on a task (see SimFaults). */
export interface TaskOutcomeFault {
  outcome: "error" | "warnings";
  message?: string;
  warnings?: number;
}

/** A failure a fault injects at the task's first step. */
export class InjectedTaskFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InjectedTaskFailure";
  }
}

export class TaskContext {
  warnings = 0;
  private interrupted = false;
  private timer: TimerHandle | undefined;
  private rejectPending: ((err: Error) => void) | undefined;
  private injected = false;

  readonly upid: string;
  /** Total simulated duration of the task's steps, in ms. */
  readonly durationMs: number;
  private readonly lines: string[];
  private readonly clock: SimClock;
  private readonly flocks: FlockTable;
  private readonly interruptText: string;
  private readonly fault: TaskOutcomeFault | undefined;

  constructor(
    upid: string,
    lines: string[],
    clock: SimClock,
    flocks: FlockTable,
    durationMs: number,
    interruptText: string,
    fault: TaskOutcomeFault | undefined,
  ) {
    this.upid = upid;
    this.lines = lines;
    this.clock = clock;
    this.flocks = flocks;
    this.durationMs = durationMs;
    this.interruptText = interruptText;
    this.fault = fault;
  }

  log(line: string): void {
    for (const l of line.split("\n")) this.lines.push(l);
  }

  /** log_warn: prints "WARN: msg" and counts towards "TASK WARNINGS: N". */
  warn(msg: string): void {
    this.warnings++;
    this.log(`WARN: ${msg}`);
  }

  /** Sleeps `ms` of simulated time; rejects with TaskInterrupted when the task is stopped. */
  sleep(ms: number): Promise<void> {
    if (this.interrupted) return Promise.reject(new TaskInterrupted(this.interruptText));
    return new Promise((resolve, reject) => {
      this.rejectPending = reject;
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.rejectPending = undefined;
        resolve();
      }, ms);
    });
  }

  /** Sleeps a share of the task's duration; an injected failure surfaces at the first step. */
  async step(fraction: number): Promise<void> {
    await this.sleep(Math.max(0, Math.round(this.durationMs * fraction)));
    if (this.fault?.outcome === "error" && !this.injected) {
      this.injected = true;
      throw new InjectedTaskFailure(this.fault.message ?? "simulated failure");
    }
  }

  /**
   * lock_config inside a worker: prints "trying to acquire lock..." while waiting, like lock_file_full
   * (`quiet` for callers that print their own waiting lines).
   */
  async lock(path: string, timeoutMs: number, quiet = false): Promise<Release> {
    if (this.interrupted) throw new TaskInterrupted(this.interruptText);
    let waited = false;
    const release = await new Promise<Release>((resolve, reject) => {
      this.rejectPending = reject;
      this.flocks
        .acquire(path, timeoutMs, () => {
          waited = !quiet;
          if (!quiet) this.log("trying to acquire lock...");
        })
        .then(
          (rel) => {
            if (this.interrupted) rel();
            else resolve(rel);
          },
          (err: Error) => reject(err),
        );
    });
    this.rejectPending = undefined;
    if (waited) this.log(" OK");
    return release;
  }

  /** Runs `fn` while holding a config lock (released even when it throws). */
  async withLock<T>(path: string, timeoutMs: number, fn: () => Promise<T> | T): Promise<T> {
    const release = await this.lock(path, timeoutMs);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Called by DELETE on the task: the pending sleep or lock wait rejects with the interrupt text. */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const reject = this.rejectPending;
    this.rejectPending = undefined;
    reject?.(new TaskInterrupted(this.interruptText));
  }

  isInterrupted(): boolean {
    return this.interrupted;
  }

  /** Warnings a "warnings" fault adds before the task ends. */
  applyWarningFault(): void {
    if (this.fault?.outcome !== "warnings") return;
    const n = Math.max(1, this.fault.warnings ?? 1);
    for (let i = 1; i <= n; i++) this.warn(this.fault.message ?? `simulated warning ${i}`);
  }
}
