// The result rows of the read-throughput scenario: each client against the floor and the peers, CPU per
// request, and the simulator's own cost and ceiling.
import * as load from "../lib/load.js";
import { emptyRow, measuredRow as row, type Row } from "../lib/results.js";
import { median } from "../lib/stats.js";
import { ENDPOINTS, GUESTS, NARROW_POOL, type Endpoint } from "./read-clients.js";
import type { Series } from "./read-throughput.js";

const IN_FLIGHT = [1, 16] as const;

/** Requests per second and client CPU per request of the median round: the clients took turns in every round,
 * so a slow moment of the machine spoils one round of each, not one client's figure. */
const perSecond = (s: Series): number => median(s.rounds.map(load.perSecond));
const cpuUsPerCall = (s: Series): number => median(s.rounds.map(load.cpuUsPerCall));

export const readLabel = (e: Endpoint): string =>
  e === "nodeStatus" ? "read node status" : `read /cluster/resources (${GUESTS} guests)`;

/** The result rows of scenario 1 from its measured series. */
export function readRows(series: readonly Series[]): Row[] {
  const rows: Row[] = [];
  const find = (client: string, endpoint: Endpoint, inFlight: number): Series => {
    const x = series.find(
      (s) => s.client === client && s.endpoint === endpoint && s.inFlight === inFlight,
    );
    if (!x) throw new Error(`no series for ${client} ${endpoint} ×${inFlight}`);
    return x;
  };
  for (const endpoint of ENDPOINTS) {
    const name = readLabel(endpoint);
    for (const n of IN_FLIGHT) {
      const raw = find("raw undici", endpoint, n);
      const pve = find("pve-client", endpoint, n);
      const papi = find("proxmox-api", endpoint, n);
      rows.push(
        row({
          name,
          metric: `raw undici dispatch + JSON.parse (floor), ${n} in flight`,
          unit: "req/s",
          value: perSecond(raw),
        }),
      );
      rows.push(
        row({
          name,
          metric: `pve-client vs floor, ${n} in flight`,
          unit: "req/s",
          value: perSecond(pve),
          baseline: perSecond(raw),
          target: { op: ">=", ratio: 0.85 },
        }),
      );
      rows.push(
        row({
          name,
          metric: `pve-client CPU per request vs floor, ${n} in flight`,
          unit: "µs",
          value: cpuUsPerCall(pve),
          baseline: cpuUsPerCall(raw),
          target: { op: "<=", ratio: 1.3 },
        }),
      );
      rows.push(
        row({
          name,
          metric: `pve-client vs proxmox-api, ${n} in flight`,
          unit: "req/s",
          value: perSecond(pve),
          baseline: perSecond(papi),
          target: { op: ">=", ratio: 1.5 },
        }),
      );
      rows.push(
        row({
          name,
          metric: `proxmox-api CPU per request vs floor, ${n} in flight`,
          unit: "µs",
          value: cpuUsPerCall(papi),
          baseline: cpuUsPerCall(raw),
        }),
      );
      if (n === 16) {
        const wide = find(NARROW_POOL, endpoint, 16);
        rows.push(
          row({
            name,
            metric: `${NARROW_POOL} (not the default 16) vs floor, 16 in flight`,
            unit: "req/s",
            value: perSecond(wide),
            baseline: perSecond(raw),
          }),
          row({
            name,
            metric: `${NARROW_POOL}: CPU per request vs floor, 16 in flight`,
            unit: "µs",
            value: cpuUsPerCall(wide),
            baseline: cpuUsPerCall(raw),
          }),
        );
      }
      if (n === 1) {
        const px = find("proxmoxer", endpoint, 1);
        rows.push(
          row({
            name,
            metric: "pve-client vs proxmoxer, 1 in flight",
            unit: "req/s",
            value: perSecond(pve),
            baseline: perSecond(px),
            target: { op: ">=", ratio: 2 },
          }),
        );
        rows.push(
          row({
            name,
            metric: "proxmoxer CPU per request vs floor (Python process)",
            unit: "µs",
            value: cpuUsPerCall(px),
            baseline: cpuUsPerCall(raw),
          }),
        );
      }
    }
    // The simulator's ceiling: what one core could serve at its measured cost per request, against the floor.
    const floor = find("raw undici", endpoint, 16);
    const simUs = (floor.simCpuMs * 1000) / floor.count;
    const cpuRow = {
      name,
      metric: "simulator CPU per request (floor, 16 in flight)",
      unit: "µs",
      note: "baseline: the floor client's own CPU per request",
    };
    const ceilingRow = {
      name,
      metric: "simulator ceiling (one core) vs floor at 16 in flight",
      unit: "req/s",
      note: "ratio near 1: the simulator is the bottleneck",
    };
    if (!(simUs > 0)) {
      // A short run (--quick) can cost the simulator less CPU than /proc's 10 ms tick shows.
      const why = `the simulator's CPU time over ${floor.count} requests read ${floor.simCpuMs} ms (below the clock's resolution)`;
      rows.push(emptyRow(cpuRow, why), emptyRow(ceilingRow, why));
    } else {
      rows.push(
        row({ ...cpuRow, value: simUs, baseline: load.cpuUsPerCall(floor) }),
        row({ ...ceilingRow, value: 1e6 / simUs, baseline: load.perSecond(floor) }),
      );
    }
  }
  return rows;
}
