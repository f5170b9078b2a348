// Drives `count` calls with a fixed number in flight and measures wall time and this process's CPU time.
import { selfCpuUs } from "./proc.js";

export interface LoadResult {
  count: number;
  wallMs: number;
  /** CPU time (user + system) this process spent during the run, in µs. */
  cpuUs: number;
}

/** Runs `call` `count` times with `inFlight` concurrent workers; any failure rejects the run. */
export async function drive(
  count: number,
  inFlight: number,
  call: () => Promise<unknown>,
): Promise<LoadResult> {
  if (!(count > 0 && inFlight > 0))
    throw new Error(`bad load: ${count} calls, ${inFlight} in flight`);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await call();
      done++;
    }
  };
  const cpu0 = selfCpuUs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const wallMs = performance.now() - t0;
  const cpuUs = selfCpuUs() - cpu0;
  if (done !== count) throw new Error(`load finished ${done} of ${count} calls`);
  return { count, wallMs, cpuUs };
}

/** Adds up results of the same client over several rounds. */
export function sum(results: readonly LoadResult[]): LoadResult {
  return results.reduce(
    (a, r) => ({ count: a.count + r.count, wallMs: a.wallMs + r.wallMs, cpuUs: a.cpuUs + r.cpuUs }),
    { count: 0, wallMs: 0, cpuUs: 0 },
  );
}

export const perSecond = (r: LoadResult): number => (r.count * 1000) / r.wallMs;
export const cpuUsPerCall = (r: LoadResult): number => r.cpuUs / r.count;
