// Counts what the simulator actually received (its /_sim/requests record), so a scenario can prove that every
// request it claims to have timed really reached the server, once.
import type { SimProcess } from "./sim-process.js";

interface Recorded {
  seq: number;
  method: string;
  path: string;
  status?: number;
  at: number;
  upid?: string;
  params?: Record<string, unknown>;
}

export class RequestLog {
  #since = 0;
  readonly #sim: SimProcess;
  constructor(sim: SimProcess) {
    this.#sim = sim;
  }

  /** Requests received since the last call (or since mark()). */
  async take(): Promise<Recorded[]> {
    const list = (await this.#sim.admin(
      "GET",
      `/_sim/requests?since=${this.#since}`,
    )) as Recorded[];
    for (const r of list) this.#since = Math.max(this.#since, r.seq);
    return list;
  }

  /** Forgets everything received so far. */
  async mark(): Promise<void> {
    await this.take();
  }
}

export type { Recorded as RecordedRequest };
