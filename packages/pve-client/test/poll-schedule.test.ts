// The poll schedule as a pure function: a wait is replayed on a virtual clock (each poll sees "stopped" once the
// task's duration has passed), so request counts and worst-case lag are exact, with no timers to flake.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_QUIET_MS,
  nextPollDelay,
  SHORT_TASK_PHASE,
  type PollSchedule,
} from "@felhom/pve-client";

const plain: PollSchedule = { minMs: 25, maxMs: 2000, ratio: 0.2, expectedMs: undefined };
const expecting = (expectedMs: number): PollSchedule => ({ ...plain, expectedMs });

/** The poll times of a wait for a task that ends `durationMs` into it; `rttMs` per status call. */
function replay(s: PollSchedule, durationMs: number, r: number, rttMs = 0) {
  const times: number[] = [];
  let t = 0;
  for (let polls = 0; polls < 100_000; polls++) {
    t += nextPollDelay(s, t, polls, r);
    times.push(t);
    if (t >= durationMs) return { requests: times.length, lagMs: t - durationMs, times };
    t += rttMs;
  }
  throw new Error("the schedule never saw the end");
}

/** Worst case over jitter draws and the task's end landing anywhere between two polls. */
function worst(s: PollSchedule, durationMs: number) {
  let requests = 0;
  let lagMs = 0;
  for (const r of [0, 0.25, 0.5, 0.75, 0.999])
    for (const shift of [-0.02, -0.01, 0, 0.01, 0.02]) {
      const w = replay(s, durationMs * (1 + shift), r, 2);
      requests = Math.max(requests, w.requests);
      lagMs = Math.max(lagMs, w.lagMs);
    }
  return { requests, lagMs };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] ?? 0));

test("nextPollDelay – without an expected duration: grows with the time waited, within min and max", () => {
  assert.equal(nextPollDelay(plain, 0, 0, 0.5), 25);
  assert.equal(nextPollDelay(plain, 50, 1, 0.5), 25);
  assert.equal(nextPollDelay(plain, 400, 5, 0.5), 80);
  assert.equal(nextPollDelay(plain, 3000, 5, 0.5), 600);
  assert.equal(nextPollDelay(plain, 60_000, 30, 0.5), 2000);
  assert.ok(nextPollDelay(plain, 3000, 5, 0) >= 480 && nextPollDelay(plain, 3000, 5, 0.999) <= 720);
  // for reference below: the plain schedule needs ~33 polls for 5 s and ~47 for 30 s
  assert.ok(replay(plain, 5000, 0.5).requests >= 20);
  assert.ok(replay(plain, 30_000, 0.5).requests > 31);
});

test("nextPollDelay – without an expected duration: at most 100 ms (±20 %) apart for the first 2 s", () => {
  assert.equal(nextPollDelay(plain, 1000, 12, 0.5), SHORT_TASK_PHASE.maxGapMs);
  assert.ok(
    Math.abs(nextPollDelay(plain, 1999, 20, 0.999) - 119.96) < 1e-9,
    "+20 % jitter at most",
  );
  assert.equal(nextPollDelay(plain, 2000, 21, 0.5), 400, "then the ratio's again");
  // never below pollMinMs nor above pollMaxMs
  assert.equal(nextPollDelay({ ...plain, minMs: 300 }, 1000, 5, 0.5), 300);
  assert.equal(nextPollDelay({ ...plain, maxMs: 50 }, 1000, 5, 0.5), 50);
  // a task ending anywhere up to 2 s (±2 %, polls taking 2 ms) is seen at most one gap (120 ms) after its end
  for (const d of [600, 1000, 1500, 1950]) {
    const w = worst(plain, d);
    assert.ok(w.lagMs <= 120, `${d} ms: worst lag ${w.lagMs}`);
  }
});

test("nextPollDelay – the expected duration right: 4–6 polls at 1 s, 5 s and 30 s, lag ≤ 3 % of it", () => {
  for (const [d, maxRequests] of [
    [1000, 4],
    [5000, 5],
    [30_000, 6],
  ] as const) {
    for (const r of [0, 0.5, 0.999]) {
      const w = replay(expecting(d), d, r);
      assert.ok(w.requests <= maxRequests, `${d} ms, r ${r}: ${w.requests} polls`);
      assert.ok(w.lagMs <= Math.max(0.03 * d, 30), `${d} ms, r ${r}: lag ${w.lagMs}`);
    }
    // the end ±2 % off the estimate, polls taking 2 ms each: still few polls and a small lag
    const w = worst(expecting(d), d);
    assert.ok(w.requests <= maxRequests + 2, `${d} ms: worst ${w.requests} polls`);
    assert.ok(w.lagMs <= 0.035 * d + 30, `${d} ms: worst lag ${w.lagMs}`);
  }
});

test("nextPollDelay – a safety poll at about E/2 from 10 s on; never quiet for more than 30 s", () => {
  const { times } = replay(expecting(30_000), 30_000, 0.5);
  assert.ok(
    times.some((t) => t > 0.4 * 30_000 && t < 0.6 * 30_000),
    `polls ${times.map(Math.round).join(",")}`,
  );
  assert.equal(
    replay(expecting(5000), 5000, 0.5).times.filter((t) => t > 100 && t < 4500).length,
    0,
    "none before the window below 10 s",
  );
  const hour = replay(expecting(3_600_000), 3_600_000, 0.5);
  assert.ok(Math.max(...gaps(hour.times)) <= MAX_QUIET_MS + 1e-6, "gaps of at most 30 s");
  assert.ok(hour.requests < 130, `${hour.requests} polls for an hour (a fixed 1 s poll: 3,601)`);
  assert.ok(hour.lagMs <= MAX_QUIET_MS);
});

test("nextPollDelay – a poll landing just before a safety checkpoint does not poll there again", () => {
  const s = expecting(30_000);
  const spacing = 14_400; // two quiet stretches of 0.96·30 s / 2
  assert.equal(nextPollDelay(s, spacing - 0.5, 2, 0.5), 28_800 - (spacing - 0.5));
});

test("nextPollDelay – the expected duration 50 % too long: the end is seen late, at the window or a safety poll", () => {
  for (const d of [1000, 5000, 30_000, 600_000]) {
    const e = 1.5 * d;
    const w = worst(expecting(e), d);
    // the end is seen at the first poll after it: the window's opening (0.96·E), or a safety poll before it
    assert.ok(w.lagMs <= 0.96 * e - d * 0.98 + 5, `${d} ms: lag ${w.lagMs}`);
    assert.ok(w.requests <= 2 + Math.ceil((0.96 * e) / Math.min(e / 2, MAX_QUIET_MS)));
  }
});

test("nextPollDelay – the expected duration 2× too short: the end is still seen within 25 % of it", () => {
  for (const d of [1000, 5000, 30_000, 600_000]) {
    const w = worst(expecting(d / 2), d);
    assert.ok(w.lagMs <= 0.25 * d, `${d} ms: lag ${w.lagMs}`);
    const plainPolls = worst(plain, d).requests;
    assert.ok(w.requests <= plainPolls + 8, `${d} ms: ${w.requests} polls, plain ${plainPolls}`);
  }
  // 10× too short: once past the window the interval grows back to the normal cap (2 s)
  const far = replay(expecting(5000), 50_000, 0.999);
  assert.ok(far.lagMs <= 2000 * 1.2 + 1e-6, `lag ${far.lagMs}`);
  assert.ok(Math.max(...gaps(far.times.filter((t) => t > 5500))) <= 2400 + 1e-6);
});

test("nextPollDelay – a task that fails at once is seen by the first poll, whatever is expected", () => {
  for (const e of [undefined, 200, 5000, 30_000, 3_600_000]) {
    const w = replay({ ...plain, expectedMs: e }, 10, 0.999);
    assert.equal(w.requests, 1, `expected ${e}`);
    assert.ok(w.lagMs <= 25 * 1.2 - 10 + 1e-6);
  }
  // one that fails part-way through a long expected run is seen at the next safety poll
  const partWay = replay(expecting(3_600_000), 600_000, 0.5);
  assert.ok(partWay.lagMs <= MAX_QUIET_MS, `lag ${partWay.lagMs}`);
  assert.ok(replay(expecting(30_000), 3000, 0.5).lagMs <= 15_000);
});
