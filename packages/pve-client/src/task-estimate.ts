// How long a task will likely take, from what PVE already records: the node's task list holds the start and
// end of every earlier run of the same task type on the same guest, so even a fresh process (the CLI) knows.
import type { TaskListFilters } from "./api/options.js";
import type { TaskListItem } from "./schemas/tasks.js";
import type { Upid } from "./upid.js";

/** Earlier runs read: the newest `MAX_SAMPLES` that ended OK or with warnings. */
export const MAX_SAMPLES = 5;
/** Earlier runs needed before they stand for the next one. */
export const MIN_SAMPLES = 2;
/** How far a run may lie from the newest runs' median and still count as the same job: this fraction of it… */
export const STEADY_SPREAD = 0.25;
/** …or one second, whichever is more (PVE records start and end in whole seconds). */
const WHOLE_SECOND_MS = 1000;

export interface TaskListEstimate {
  ms: number;
  /** The earlier runs it rests on. */
  samples: number;
}

/** PVE's task-list filters (node_tasks) for this task's earlier runs, or undefined when it names no guest. */
export function earlierRunsQuery(upid: Upid): TaskListFilters | undefined {
  if (!/^[1-9]\d{2,8}$/.test(upid.id)) return undefined;
  return {
    vmid: Number(upid.id),
    typefilter: upid.type,
    source: "archive",
    statusfilter: ["ok", "warning"],
    limit: MAX_SAMPLES,
  };
}

/**
 * The expected duration of `upid` from its earlier runs in the task list (rows newest first, as PVE lists
 * them): the mean of the newest runs, once at least MIN_SAMPLES agree.
 *
 * PVE records starttime and endtime in whole seconds, so one run's `endtime − starttime` is the true duration
 * rounded down or up; the mean of a few runs of a steady job recovers the fraction. Rules, all on the rows
 * that are this guest's, this type's, finished OK or with warnings:
 * - the newest MIN_SAMPLES must agree (each within ±25 % or ±1 s of their median, whichever is wider), and
 *   older ones join only while they agree too: a job that just changed (a backup that doubled) is not
 *   predicted from its old runs;
 * - the runs must prove the task lasts over a second: none recorded as 0 s and at least one as 2 s or more
 *   (runs all recorded as 1 s may each have lasted a few ms or 1.9 s; the plain schedule sees such short
 *   tasks within tens of ms anyway), and a run recorded as D s lasted between D − 1 and D + 1 s, so the
 *   window rarely opens more than a second late;
 * - otherwise no estimate (the plain schedule).
 */
export function estimateFromTaskList(
  upid: Upid,
  rows: readonly TaskListItem[],
): TaskListEstimate | undefined {
  const durations: number[] = [];
  for (const r of rows) {
    if (r.type !== upid.type || r.id !== upid.id || r.upid === upid.raw) continue;
    if (r.endtime === undefined || !endedWell(r.status)) continue;
    durations.push((r.endtime - r.starttime) * 1000);
    if (durations.length === MAX_SAMPLES) break;
  }
  const newest = durations.slice(0, MIN_SAMPLES);
  if (newest.length < MIN_SAMPLES) return undefined;
  const mid = median(newest);
  const band = Math.max(STEADY_SPREAD * mid, WHOLE_SECOND_MS);
  const fits = (ms: number): boolean => ms >= WHOLE_SECOND_MS && Math.abs(ms - mid) <= band;
  if (!newest.every(fits)) return undefined;
  const used = [...newest];
  for (const ms of durations.slice(MIN_SAMPLES)) {
    if (!fits(ms)) break;
    used.push(ms);
  }
  // Recorded as 1 s each, the runs may have lasted anything from a few ms to 2 s: then no estimate.
  if (Math.max(...used) < 2 * WHOLE_SECOND_MS) return undefined;
  return { ms: used.reduce((a, b) => a + b, 0) / used.length, samples: used.length };
}

/** `OK` or `WARNINGS: N` (pve-common PVE::UPID::status_is_error is false for exactly these). */
function endedWell(status: string | undefined): boolean {
  return status === "OK" || /^WARNINGS: \d+$/.test(status ?? "");
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
