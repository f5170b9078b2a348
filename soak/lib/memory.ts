// Memory figures for the soak: this process's RSS after a forced collection, another process's RSS and peak
// from /proc, and a sampler that keeps a bounded series so the measuring itself does not grow.
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

/** Runs a full garbage collection (exposing `gc` on the fly when node was started without --expose-gc). */
export function forceGc(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as () => void;
    }
  }
  collect();
}

/** This process's resident set size in bytes, after a full collection. */
export function settledRss(): number {
  forceGc();
  return process.memoryUsage.rss();
}

/** This process's peak RSS in bytes since it started (getrusage ru_maxrss). */
export function selfPeakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Another process's current RSS in bytes (undefined once it has exited). */
export const rssOf = (pid: number): number | undefined => procStatus(pid, "VmRSS");
/** Another process's peak RSS in bytes (the kernel's high-water mark). */
export const peakRssOf = (pid: number): number | undefined => procStatus(pid, "VmHWM");

/** Bytes as MiB with one decimal. */
export const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/** Percent with one decimal. */
export const pct = (part: number, whole: number): number =>
  whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
