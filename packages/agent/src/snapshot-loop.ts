// The daemon's periodic cycle: collect a host snapshot, write it atomically, log one summary line; never two
// cycles at once. stop() aborts a collection in progress and waits for a write in progress, so SIGTERM never
// leaves a half-written state file.
import type { Logger } from "./log.js";

export interface CycleResult {
  /** The one-line summary logged after the cycle. */
  summary: string;
  /** Extra structured fields for the log line. */
  fields?: Record<string, unknown>;
}

export interface SnapshotLoopOptions {
  intervalMs: number;
  /** Collects and writes one snapshot. `signal` aborts when the daemon stops. */
  cycle: (signal: AbortSignal, seq: number) => Promise<CycleResult>;
  logger: Logger;
  /** Called after each cycle (tests and benchmarks count cycles). */
  onCycle?: (seq: number, ok: boolean) => void;
}

export class SnapshotLoop {
  readonly #opts: SnapshotLoopOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<void> | undefined;
  #abort = new AbortController();
  #stopping = false;
  #seq = 0;

  constructor(opts: SnapshotLoopOptions) {
    this.#opts = opts;
  }

  get cycles(): number {
    return this.#seq;
  }

  /** Runs the first cycle now and schedules the next ones. */
  start(): void {
    this.#schedule(0);
  }

  /** Stops scheduling, aborts a collection in progress, and resolves once nothing is running. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#current;
  }

  #schedule(delayMs: number): void {
    if (this.#stopping) return;
    this.#timer = setTimeout(() => {
      const started = performance.now();
      // #current is set before the cycle starts, so a stop() from anywhere (even inside the cycle) waits for it.
      let done: () => void = () => undefined;
      this.#current = new Promise<void>((resolve) => (done = resolve));
      void this.#run().finally(() => {
        this.#current = undefined;
        done();
        const elapsed = performance.now() - started;
        // The next cycle starts one interval after this one started, or at once if this one overran.
        this.#schedule(Math.max(0, this.#opts.intervalMs - elapsed));
      });
    }, delayMs);
  }

  async #run(): Promise<void> {
    const seq = ++this.#seq;
    const started = performance.now();
    const { logger } = this.#opts;
    try {
      const result = await this.#opts.cycle(this.#abort.signal, seq);
      const ms = Math.round(performance.now() - started);
      logger.info({ ...result.fields, cycle: seq, ms }, `snapshot: ${result.summary}`);
      this.#opts.onCycle?.(seq, true);
    } catch (err) {
      if (this.#stopping) {
        logger.debug({ cycle: seq }, "snapshot aborted by shutdown");
      } else {
        const reason = err instanceof Error ? err.message : String(err);
        logger.error(
          { cycle: seq, code: (err as { code?: unknown }).code },
          `snapshot failed: ${reason}`,
        );
      }
      this.#opts.onCycle?.(seq, false);
    }
  }
}
