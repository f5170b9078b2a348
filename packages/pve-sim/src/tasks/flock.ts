// Emulates PVE's flock-based config locks (lock_config): FIFO waiters, a timeout on the simulated clock, and
// "can't lock file '<path>' - got timeout" when it runs out.
import type { SimClock, TimerHandle } from "../clock.js";
import { dieError } from "../errors.js";

interface Waiter {
  grant: () => void;
  timer: TimerHandle;
}

export type Release = () => void;

export class FlockTable {
  private readonly held = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();

  private readonly clock: SimClock;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  isHeld(path: string): boolean {
    return this.held.has(path);
  }

  /** Takes the lock now if it is free; undefined when someone holds it. */
  tryAcquire(path: string): Release | undefined {
    if (this.held.has(path)) return undefined;
    this.held.add(path);
    return this.releaser(path);
  }

  /**
   * Waits up to `timeoutMs` of simulated time; rejects with PVE's lock timeout error. `onWait` runs once when
   * the caller has to wait (tasks print "trying to acquire lock...").
   */
  acquire(path: string, timeoutMs: number, onWait?: () => void): Promise<Release> {
    const now = this.tryAcquire(path);
    if (now) return Promise.resolve(now);
    onWait?.();
    return new Promise((resolve, reject) => {
      const queue = this.waiters.get(path) ?? [];
      this.waiters.set(path, queue);
      const waiter: Waiter = {
        grant: () => {
          this.clock.clearTimeout(waiter.timer);
          this.held.add(path);
          resolve(this.releaser(path));
        },
        timer: this.clock.setTimeout(() => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(dieError(`can't lock file '${path}' - got timeout\n`));
        }, timeoutMs),
      };
      queue.push(waiter);
    });
  }

  private releaser(path: string): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.held.delete(path);
      const next = this.waiters.get(path)?.shift();
      next?.grant();
    };
  }
}
