// Time for the simulator: the real clock by default, or a manual clock that tests advance by hand.

export type TimerHandle = { readonly id: number };

/** What the simulator needs from a clock; everything simulated (tasks, locks, windows) goes through it. */
export interface SimClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock (Date.now and timers; timers do not keep the process alive). */
export function realClock(): SimClock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}

/** A clock that only moves when told to; `advance` fires due timers in order and lets promises settle. */
export interface ManualClock extends SimClock {
  advance(ms: number): Promise<void>;
  /** Advances until no timer is left (bounded by `maxMs`, default one hour). */
  runAll(maxMs?: number): Promise<void>;
  pendingTimers(): number;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createManualClock(startMs = Date.UTC(2026, 0, 15, 10, 0, 0)): ManualClock {
  let now = startMs;
  let seq = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const due = (limit: number): number | undefined => {
    let best: number | undefined;
    for (const [id, t] of timers) {
      if (t.at > limit) continue;
      const b = best === undefined ? undefined : timers.get(best);
      if (!b || t.at < b.at || (t.at === b.at && id < (best ?? 0))) best = id;
    }
    return best;
  };
  const clock: ManualClock = {
    now: () => now,
    setTimeout(fn, ms) {
      const id = seq++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return { id };
    },
    clearTimeout(handle) {
      timers.delete(handle.id);
    },
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        const id = due(target);
        const t = id === undefined ? undefined : timers.get(id);
        if (id === undefined || !t) break;
        timers.delete(id);
        now = Math.max(now, t.at);
        t.fn();
        await settle();
      }
      now = target;
      await settle();
    },
    async runAll(maxMs = 3_600_000) {
      const limit = now + maxMs;
      while (timers.size > 0 && now < limit) {
        const next = Math.min(...[...timers.values()].map((t) => t.at));
        await clock.advance(Math.max(0, Math.min(next, limit) - now));
      }
    },
    pendingTimers: () => timers.size,
  };
  return clock;
}
