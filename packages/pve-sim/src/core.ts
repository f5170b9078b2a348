// The shared context of one running simulator: state, clock, randomness, faults, options and response caches.
import type { SimClock } from "./clock.js";
import type { FaultRegistry } from "./faults.js";
import type { Prng } from "./prng.js";
import type { SimState } from "./state/state.js";
import type { RecordedRequest } from "./types.js";

export interface ResolvedOptions {
  node: string;
  lockTimeoutMs: number;
  validateResponses: boolean;
  authFailureDelayMs: number;
  maxRecordedRequests: number;
  quiet: boolean;
  adminSecret: string;
}

/** Serialized bodies of expensive GETs, valid while the state version (and key) stay the same. */
export class ResponseCache {
  private readonly entries = new Map<string, { version: number; body: Buffer; gzip?: Buffer }>();

  get(key: string, version: number): { body: Buffer; gzip?: Buffer } | undefined {
    const e = this.entries.get(key);
    return e && e.version === version ? e : undefined;
  }

  set(key: string, version: number, body: Buffer): { body: Buffer; gzip?: Buffer } {
    if (this.entries.size > 256) this.entries.clear();
    const e = { version, body };
    this.entries.set(key, e);
    return e;
  }
}

export interface SimCore {
  state: SimState;
  clock: SimClock;
  prng: Prng;
  faults: FaultRegistry;
  options: ResolvedOptions;
  cache: ResponseCache;
  /** SHA-256 fingerprint of the listener's certificate, "AB:CD:…" (GET /nodes answers it as ssl_fingerprint). */
  certFingerprint: string;
  requests: RecordedRequest[];
  /** Schema violations found in responses while validateResponses is on. */
  responseProblems: Array<{ method: string; path: string; problems: string[] }>;
  log(msg: string): void;
}
