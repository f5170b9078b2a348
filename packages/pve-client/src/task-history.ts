// How long finished tasks took, remembered per guest and per task type (bounded, in memory, one per Client), so
// waitTask can poll around a task's likely end instead of all the way through.
import { LruMap } from "./lru-map.js";
import { EXPECTED_WINDOW } from "./poll-schedule.js";

/** The parts of a Upid the history is keyed on (`qmstart` + `100`). */
export interface TaskKey {
  type: string;
  id: string;
}

export interface TaskEstimate {
  ms: number;
  /** `guest`: this guest's last run of this task type; `type`: recent runs of the type on any guest. */
  source: "guest" | "type";
}

export interface TaskHistoryOptions {
  /** Guests (task type + id) remembered; the least recently used is dropped first. Default 256. */
  maxGuests?: number;
  /** Task types remembered. Default 64. */
  maxTypes?: number;
  /** How many of a type's latest durations must agree before they stand in for a guest's own. Default 3. */
  typeSamples?: number;
  /** How far those may lie from their median, as a fraction of it. Default 0.25. */
  typeSpread?: number;
}

/**
 * Remembers the durations of tasks that ended well. `estimate` prefers the guest's own latest duration of
 * that task type; a guest without one gets the shortest of the type's latest `typeSamples` durations, and
 * only when they all lie within ±`typeSpread` of their median (guests differ: a 4 GB VM's backup says little
 * about a 400 GB one, so the type stands in only when it has proved steady, and then on the short side,
 * because an estimate that is too short costs a few requests while one that is too long costs lag).
 */
export class TaskHistory {
  readonly #guests: LruMap<string, number>;
  readonly #types: LruMap<string, number[]>;
  readonly #typeSamples: number;
  readonly #typeSpread: number;

  constructor(options: TaskHistoryOptions = {}) {
    this.#guests = new LruMap(options.maxGuests ?? 256);
    this.#types = new LruMap(options.maxTypes ?? 64);
    this.#typeSamples = Math.max(1, options.typeSamples ?? 3);
    this.#typeSpread = options.typeSpread ?? 0.25;
  }

  /** Guests currently remembered. */
  get guests(): number {
    return this.#guests.size;
  }

  estimate(task: TaskKey): TaskEstimate | undefined {
    if (task.id !== "") {
      const own = this.#guests.get(guestKey(task));
      if (own !== undefined) return { ms: own, source: "guest" };
    }
    const recent = this.#types.get(task.type);
    if (!recent || recent.length < this.#typeSamples) return undefined;
    const mid = median(recent);
    const steady = recent.every((ms) => Math.abs(ms - mid) <= this.#typeSpread * mid);
    return steady ? { ms: Math.min(...recent), source: "type" } : undefined;
  }

  /** Remembers a duration (ms, from the start of the wait). Call only for tasks that ended OK or WARNINGS. */
  record(task: TaskKey, ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) return;
    if (task.id !== "") this.#guests.set(guestKey(task), ms);
    const recent = [...(this.#types.get(task.type) ?? []), ms].slice(-this.#typeSamples);
    this.#types.set(task.type, recent);
  }
}

/**
 * The duration to remember for a task last seen running `lastRunningMs` into the wait (when that poll was
 * sent) and first seen stopped `stoppedMs` into it (when that answer came): the true end lies between. The
 * midpoint, which errs by at most half the gap either way when the gap is one step of the dense window; but
 * never more than `lastRunningMs / 0.96`, so the next window (which opens at 0.96·E) opens no later than the
 * moment this run was still going. A wide gap (the plain schedule, or a window that opened too late) thus
 * yields an estimate on the short side: the next wait then spends a few more requests and narrows it.
 */
export function observedDuration(lastRunningMs: number, stoppedMs: number): number {
  return Math.min((lastRunningMs + stoppedMs) / 2, lastRunningMs / EXPECTED_WINDOW.from);
}

function guestKey(task: TaskKey): string {
  return `${task.type}:${task.id}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
