// The node's own usage figures (CPU, memory, root fs, load), derived from the running guests and the clock.
import type { SimCore } from "../core.js";
import { hashNoise } from "../prng.js";
import { usage } from "../state/guest-view.js";
import { GIB } from "../state/model.js";

export interface NodeUsage {
  cpu: number;
  memUsed: number;
  rootUsed: number;
  uptime: number;
  load: [number, number, number];
  iowait: number;
}

export function nodeUsage(core: SimCore, atMs = core.clock.now()): NodeUsage {
  const { state } = core;
  const node = state.node;
  let guestCpu = 0;
  let guestMem = 0;
  let running = 0;
  for (const g of state.guests.values()) {
    if (g.status !== "running") continue;
    running++;
    if (running > 200) break; // the figures only need to look plausible; keep this cheap for 10,000 guests
    const u = usage(g, atMs, node.cpus);
    guestCpu += u.cpu * u.cpus;
    guestMem += u.mem;
  }
  const n = hashNoise(7, Math.floor(atMs / 10_000));
  const cpu = Math.min(1, 0.01 + guestCpu / node.cpus + 0.02 * n);
  const load1 = Number((cpu * node.cpus * (0.8 + 0.4 * n)).toFixed(2));
  return {
    cpu: Number(cpu.toFixed(6)),
    memUsed: Math.min(node.memTotal - GIB, Math.floor(2.5 * GIB + guestMem)),
    rootUsed: Math.floor(node.rootfsTotal * 0.18),
    uptime: Math.floor((atMs - node.bootMs) / 1000),
    load: [load1, Number((load1 * 0.9).toFixed(2)), Number((load1 * 0.8).toFixed(2))],
    iowait: Number((0.001 + 0.01 * n).toFixed(6)),
  };
}
