// Runs the operation mix with a fixed number of workers until the operation budget is spent, refreshing the
// model between operations, watching every call with a hang watchdog and sampling RSS (after a collection).
import { settledRss } from "../lib/memory.js";
import type { Model } from "./model.js";
import { plan, WEIGHTS, type OpEnv, type Plan } from "./operations.js";
import type { CallRecord } from "./records.js";
import type { RemoteSim } from "./sim-remote.js";

export interface WorkloadConfig {
  ops: number;
  concurrency: number;
  /** A call that has not settled after this long is a hang (reported, and the worker moves on). */
  hangMs: number;
  rssSamples: number;
  /** Operations between model refreshes. */
  refreshEvery: number;
}

export interface RssSample {
  /** Operations completed when the sample was taken. */
  op: number;
  rss: number;
}

export interface WorkloadOutput {
  records: CallRecord[];
  rss: RssSample[];
  hangs: string[];
  durationMs: number;
}

function choose(env: OpEnv, n: number): Plan {
  for (let i = 0; i < 10; i++) {
    const p = plan(env.rng.weighted(WEIGHTS), env, n);
    if (p) return p;
  }
  return plan("nodeStatus", env, n) as Plan;
}

/** Resolves true if `p` has not settled within ms (it keeps running). */
function hangs(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  return Promise.race([p.then(() => false), late]).finally(() => clearTimeout(timer));
}

export async function runWorkload(
  env: OpEnv & { model: Model },
  sim: RemoteSim,
  cfg: WorkloadConfig,
): Promise<WorkloadOutput> {
  const t0 = performance.now();
  const records: CallRecord[] = [];
  const rss: RssSample[] = [{ op: 0, rss: settledRss() }];
  const hung: string[] = [];
  const sampleEvery = Math.max(1, Math.floor(cfg.ops / cfg.rssSamples));
  let next = 0;
  let done = 0;
  let lastRefresh = 0;
  let refreshing: Promise<void> | undefined;

  const worker = async (): Promise<void> => {
    while (next < cfg.ops) {
      const n = next++;
      if (n - lastRefresh >= cfg.refreshEvery && refreshing === undefined) {
        lastRefresh = n;
        refreshing = env.model.refresh(sim).finally(() => (refreshing = undefined));
      }
      const p = choose(env, n);
      const rec: CallRecord = {
        n,
        op: p.name,
        mutating: p.mutating,
        ...(p.key === undefined ? {} : { key: p.key }),
        start: Date.now(),
        end: 0,
        ms: 0,
        deadlineMs: 0,
        ok: false,
      };
      records.push(rec);
      if (await hangs(p.run(rec), cfg.hangMs)) {
        Object.assign(rec, { code: "HANG", typed: false });
        hung.push(
          `#${n} ${p.name}${p.key ? ` ${p.key}` : ""} did not settle within ${cfg.hangMs} ms`,
        );
      }
      done++;
      if (done % sampleEvery === 0) rss.push({ op: done, rss: settledRss() });
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  await refreshing;
  rss.push({ op: done, rss: settledRss() });
  return { records, rss, hangs: hung, durationMs: Math.round(performance.now() - t0) };
}
