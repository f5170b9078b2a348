// When waitTask polls a task's status next: a pure function of the time waited, so the trade between lag and
// requests can be unit-tested (and tuned) without a clock. With an expected duration, polls cluster at its end.

export interface PollSchedule {
  minMs: number;
  maxMs: number;
  ratio: number;
  expectedMs: number | undefined;
}

/**
 * The first 2 s of a wait without an expected duration: gaps of at most 100 ms (±20 %). The task list gives no
 * estimate for runs recorded as under 2 s (task-estimate.ts), so the plain schedule alone must see those within
 * about 50 ms (median) of their end; 0.2 of the time waited would leave a 1 s task at about 100 ms. The cost:
 * about 7 more polls for every task over 2 s (test/poll-schedule-model.test.ts puts numbers on both).
 */
export const SHORT_TASK_PHASE = { untilMs: 2000, maxGapMs: 100 } as const;

/** The dense window around an expected duration E: from 0.96·E to 1.1·E, a poll every 2 % of E. */
export const EXPECTED_WINDOW = { from: 0.96, until: 1.1, step: 0.02 } as const;

/** From this expected duration on, the quiet stretch before the window gets a safety poll at about E/2. */
export const SAFETY_POLL_FROM_MS = 10_000;

/** Longest gap between polls while waiting for an expected end (before, in and after the window), unless
 *  `pollMaxMs` is larger. */
export const MAX_QUIET_MS = 30_000;

/**
 * Delay before the next status poll, `elapsed` ms into the wait, `polls` polls done, `r` in [0, 1).
 *
 * Without an expected duration: the first poll after `minMs`, then a fraction (`ratio`) of the time waited,
 * at most 100 ms during the first 2 s (SHORT_TASK_PHASE), always between `minMs` and `maxMs`, ±20 % jitter.
 * Tasks under 2 s are seen within about 50 ms (median), longer ones within about `ratio`/2 of their duration,
 * and long ones cost few requests (about 45 for 30 s, 7 more than without the short-task phase).
 *
 * With an expected duration E: the early first poll (catches tasks that fail at once); nothing until 0.96·E
 * except, for E ≥ 10 s, evenly spaced safety polls at most E/2 and 30 s apart; from 0.96·E to 1.1·E a poll
 * every 2 % of E (at least `minMs`, at most 30 s); after that a fraction (`ratio`) of the time since 0.96·E,
 * never finer than the window's step nor coarser than `maxMs` (or that step), so an end shortly after the window
 * is still seen quickly.
 */
export function nextPollDelay(s: PollSchedule, elapsed: number, polls: number, r: number): number {
  const jitter = 0.8 + 0.4 * r;
  if (polls === 0) return s.minMs * jitter;
  const e = s.expectedMs;
  if (e === undefined || !(e > 0)) return clamp(plainGap(s, elapsed), s.minMs, s.maxMs) * jitter;
  const from = EXPECTED_WINDOW.from * e;
  const step = clamp(EXPECTED_WINDOW.step * e, s.minMs, MAX_QUIET_MS);
  if (elapsed < from) return quietDelay(s, e, from, elapsed);
  const longest = Math.max(MAX_QUIET_MS, s.maxMs);
  if (elapsed < EXPECTED_WINDOW.until * e) return Math.min(longest, step * jitter);
  return Math.min(
    longest,
    clamp(s.ratio * (elapsed - from), step, Math.max(s.maxMs, step)) * jitter,
  );
}

/** The plain schedule's gap before clamping and jitter: a fraction of the time waited, capped at first. */
function plainGap(s: PollSchedule, elapsed: number): number {
  const gap = elapsed * s.ratio;
  return elapsed < SHORT_TASK_PHASE.untilMs ? Math.min(gap, SHORT_TASK_PHASE.maxGapMs) : gap;
}

/** Before the window: straight to its start, or to the next of evenly spaced safety polls for long tasks. */
function quietDelay(s: PollSchedule, e: number, from: number, elapsed: number): number {
  if (e < SAFETY_POLL_FROM_MS) return from - elapsed;
  const spacing = from / Math.ceil(from / Math.min(e / 2, MAX_QUIET_MS));
  let next = (Math.floor(elapsed / spacing) + 1) * spacing;
  // A poll that landed a hair before its checkpoint (timer granularity) must not cause a second one there.
  if (next - elapsed < s.minMs) next += spacing;
  return Math.min(from, next) - elapsed;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
