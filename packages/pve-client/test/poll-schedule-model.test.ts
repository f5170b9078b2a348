// The lag/requests trade of the poll schedule as numbers: many waits per task duration replayed over
// nextPollDelay with a seeded random source (no clock), so tuning the schedule shows what it costs and gains.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { nextPollDelay, SHORT_TASK_PHASE, type PollSchedule } from "@felhom/pve-client";
import { createRng } from "@felhom/test-support/rng";
import { median } from "../src/task-estimate.js";

/** waitTask's defaults. */
const plain: PollSchedule = { minMs: 25, maxMs: 2000, ratio: 0.2, expectedMs: undefined };

/** The plain schedule before the short-task phase (a fraction of the time waited from the start): the reference. */
function ratioOnly(s: PollSchedule, elapsed: number, polls: number, r: number): number {
  const jitter = 0.8 + 0.4 * r;
  if (polls === 0) return s.minMs * jitter;
  return Math.min(s.maxMs, Math.max(s.minMs, elapsed * s.ratio)) * jitter;
}

type Delay = (s: PollSchedule, elapsed: number, polls: number, r: number) => number;

const WAITS = 2000;
/** Each status request's round trip: the next delay is counted from its answer, as waitTask does. */
const RTT_MS = 5;
/** The wait starts when the start request's answer arrives, up to this long after the task started. */
const START_ANSWER_MS = 40;

interface Row {
  durationMs: number;
  lagMedianMs: number;
  lagMeanMs: number;
  pollsMedian: number;
}

/**
 * WAITS waits for a task of `durationMs`: its end, in the wait's time, is the duration less the start
 * answer's delay; a poll sent at or after the end sees it. Lag is the schedule's alone (the poll's send time
 * after the end); the status request's own time comes on top in a real wait. With `expected`, the schedule
 * knows the duration exactly.
 */
function model(delay: Delay, durationMs: number, expected: boolean, seed = 1): Row {
  const rng = createRng(seed);
  const random = (): number => rng.next();
  const lags: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < WAITS; i++) {
    const end = durationMs - START_ANSWER_MS * random();
    const s = expected ? { ...plain, expectedMs: end } : plain;
    let t = 0;
    let n = 0;
    for (;;) {
      t += delay(s, t, n, random());
      n++;
      if (t >= end) break;
      t += RTT_MS;
    }
    lags.push(t - end);
    polls.push(n);
  }
  return {
    durationMs,
    lagMedianMs: median(lags),
    lagMeanMs: lags.reduce((a, b) => a + b, 0) / lags.length,
    pollsMedian: median(polls),
  };
}

const DURATIONS = [200, 500, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000];

function show(t: TestContext, name: string, rows: Row[]): void {
  t.diagnostic(name);
  for (const r of rows)
    t.diagnostic(
      `  ${(r.durationMs / 1000).toFixed(1).padStart(5)} s: lag median ${r.lagMedianMs.toFixed(0)} ms, ` +
        `mean ${r.lagMeanMs.toFixed(0)} ms, ${r.pollsMedian} polls`,
    );
}

test("poll schedule model – plain: tasks up to 2 s seen within 60 ms (median), at most 8 polls more than the ratio alone", (t) => {
  const tuned = DURATIONS.map((d) => model(nextPollDelay, d, false));
  const reference = DURATIONS.map((d) => model(ratioOnly, d, false));
  show(t, "plain schedule (with the short-task phase)", tuned);
  show(t, "reference: 0.2 of the time waited from the start", reference);
  for (const [i, r] of tuned.entries()) {
    const ref = reference[i] as Row;
    if (r.durationMs <= SHORT_TASK_PHASE.untilMs)
      assert.ok(r.lagMedianMs <= 60, `${r.durationMs} ms: lag median ${r.lagMedianMs.toFixed(1)}`);
    // the phase costs at most (2 s − 0.5 s) / 100 ms minus what the ratio spends there: about 7–8 polls
    assert.ok(
      r.pollsMedian <= ref.pollsMedian + 8,
      `${r.durationMs} ms: ${r.pollsMedian} polls, reference ${ref.pollsMedian}`,
    );
  }
  // the ratio alone left a 1 s task at about 100 ms and a 2 s one at about 200 ms
  const at = (rows: Row[], d: number) => rows.find((r) => r.durationMs === d) as Row;
  assert.ok(at(reference, 1000).lagMedianMs > 80 && at(reference, 2000).lagMedianMs > 160);
  // beyond the phase the schedule is the ratio's again: about 10 % of the duration, 2 s at most
  for (const d of [5000, 10_000, 30_000]) {
    assert.ok(at(tuned, d).lagMedianMs <= Math.min(0.12 * d, 1200), `${d} ms`);
    assert.ok(at(tuned, d).pollsMedian <= at(reference, d).pollsMedian + 8, `${d} ms`);
  }
  assert.ok(at(tuned, 30_000).pollsMedian <= 48, `${at(tuned, 30_000).pollsMedian} polls for 30 s`);
});

test("poll schedule model – expected duration right: lag about 1 % of it, 2–6 polls", (t) => {
  const rows = DURATIONS.map((d) => model(nextPollDelay, d, true));
  show(t, "expected duration (exact)", rows);
  for (const r of rows) {
    assert.ok(
      r.lagMedianMs <= Math.max(0.015 * r.durationMs, 25),
      `${r.durationMs} ms: ${r.lagMedianMs}`,
    );
    assert.ok(r.pollsMedian <= 6, `${r.durationMs} ms: ${r.pollsMedian} polls`);
  }
});
