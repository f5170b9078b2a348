// The node's worker tasks: UPIDs, growing logs, running → stopped with PVE's exit statuses, stop by DELETE,
// the archive that the task list reads, and the short "no such task" window after creation.
import type { SimClock } from "../clock.js";
import { SimError, taskErrorText } from "../errors.js";
import type { Prng } from "../prng.js";
import { TaskContext, type TaskOutcomeFault } from "./context.js";
import type { FlockTable } from "./flock.js";
import { encodeUpid, exitStatusOf, type UpidFields } from "./upid.js";

export interface TaskRecord extends UpidFields {
  readonly upid: string;
  status: "running" | "stopped";
  /** Set once stopped: "OK", "WARNINGS: N", the error text, or "unexpected status". */
  exitstatus?: string;
  /** Unix seconds, once stopped. */
  endtime?: number;
  readonly lines: string[];
  readonly createdMs: number;
  /** Before this clock time, status/log/stop answer as if the task did not exist yet. */
  readonly visibleFromMs: number;
  /** Settles when the task has stopped. */
  readonly done: Promise<void>;
}

export interface TaskSpec {
  type: string;
  id: string;
  /** The auth id that started it (a token id for token requests). */
  user: string;
  run: (ctx: TaskContext) => Promise<void>;
  durationMs?: number;
  /** What a stopped task dies with (default "received interrupt"; vzdump: "interrupted by signal"). */
  interruptText?: string;
  fault?: TaskOutcomeFault;
}

export interface TaskManagerDeps {
  clock: SimClock;
  prng: Prng;
  flocks: FlockTable;
  node: () => string;
  bootMs: number;
  earlyNoSuchTaskMs: number;
  defaultDurationMs: number;
  onChange: () => void;
}

export class TaskManager {
  /** Per task type durations (ms), overriding the default ("*" replaces the default itself). */
  readonly durations = new Map<string, number>();
  private readonly byUpid = new Map<string, TaskRecord>();
  private readonly contexts = new Map<string, TaskContext>();
  /** Finished tasks, oldest end first (the index file); read backwards by the task list. */
  readonly archive: TaskRecord[] = [];
  readonly active: TaskRecord[] = [];

  private readonly deps: TaskManagerDeps;

  constructor(deps: TaskManagerDeps) {
    this.deps = deps;
  }

  get(upid: string): TaskRecord | undefined {
    return this.byUpid.get(upid);
  }

  /** Whether the API may see the task yet (the early "no such task" window has passed). */
  isVisible(task: TaskRecord): boolean {
    return this.deps.clock.now() >= task.visibleFromMs;
  }

  all(): TaskRecord[] {
    return [...this.byUpid.values()];
  }

  private newFields(
    type: string,
    id: string,
    user: string,
    atMs: number,
  ): UpidFields & { upid: string } {
    const { prng } = this.deps;
    for (;;) {
      const fields: UpidFields = {
        node: this.deps.node(),
        pid: prng.int(1000, 4_000_000),
        pstart: Math.max(0, Math.floor((atMs - this.deps.bootMs) / 10)),
        starttime: Math.floor(atMs / 1000),
        type,
        id,
        user,
      };
      const upid = encodeUpid(fields);
      if (!this.byUpid.has(upid)) return { ...fields, upid };
    }
  }

  start(spec: TaskSpec): TaskRecord {
    const now = this.deps.clock.now();
    if (/[:\s/]/.test(spec.type) || /[:\s/]/.test(spec.id) || /[:\s/]/.test(spec.user))
      throw new SimError(
        "SIM_INVALID_STATE",
        "task type, id and user must not contain ':', '/' or spaces",
      );
    const fields = this.newFields(spec.type, spec.id, spec.user, now);
    const lines: string[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const task: TaskRecord = {
      ...fields,
      status: "running",
      lines,
      createdMs: now,
      visibleFromMs: now + this.deps.earlyNoSuchTaskMs,
      done,
    };
    const duration =
      spec.durationMs ??
      this.durations.get(spec.type) ??
      this.durations.get("*") ??
      this.deps.defaultDurationMs;
    const ctx = new TaskContext(
      task.upid,
      lines,
      this.deps.clock,
      this.deps.flocks,
      duration,
      spec.interruptText ?? "received interrupt",
      spec.fault,
    );
    this.byUpid.set(task.upid, task);
    this.contexts.set(task.upid, ctx);
    this.active.push(task);
    const finish = (err: unknown): void => {
      if (err !== undefined) lines.push(`TASK ERROR: ${taskErrorText(err)}`);
      else if (ctx.warnings > 0) lines.push(`TASK WARNINGS: ${ctx.warnings}`);
      else lines.push("TASK OK");
      task.status = "stopped";
      task.endtime = Math.floor(this.deps.clock.now() / 1000);
      task.exitstatus = exitStatusOf(lines[lines.length - 1]);
      this.contexts.delete(task.upid);
      const i = this.active.indexOf(task);
      if (i >= 0) this.active.splice(i, 1);
      this.archive.push(task);
      this.deps.onChange();
      resolveDone();
    };
    // The script starts on the next tick, after the HTTP handler has answered with the UPID.
    setImmediate(() => {
      spec
        .run(ctx)
        .then(() => {
          ctx.applyWarningFault();
          finish(undefined);
        })
        .catch((err: unknown) => finish(err ?? "died"));
    });
    this.deps.onChange();
    return task;
  }

  /** Stops a running task like check_worker($upid, 1); resolves once it has stopped. */
  async stop(upid: string): Promise<void> {
    const task = this.byUpid.get(upid);
    const ctx = this.contexts.get(upid);
    if (!task || !ctx || task.status !== "running") return;
    ctx.interrupt();
    await task.done;
  }

  /** Resolves with the task once it has stopped. */
  async wait(upid: string): Promise<TaskRecord> {
    const task = this.byUpid.get(upid);
    if (!task) throw new SimError("SIM_NOT_FOUND", `no such task '${upid}'`);
    await task.done;
    return task;
  }

  /** Adds an already finished task (sample history). */
  addFinished(f: {
    type: string;
    id: string;
    user: string;
    startMs: number;
    endMs: number;
    lines: string[];
  }): TaskRecord {
    const fields = this.newFields(f.type, f.id, f.user, f.startMs);
    const task: TaskRecord = {
      ...fields,
      status: "stopped",
      lines: [...f.lines],
      createdMs: f.startMs,
      visibleFromMs: f.startMs,
      endtime: Math.floor(f.endMs / 1000),
      exitstatus: exitStatusOf(f.lines[f.lines.length - 1]),
      done: Promise.resolve(),
    };
    this.byUpid.set(task.upid, task);
    this.archive.push(task);
    return task;
  }
}
