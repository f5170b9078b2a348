// Scenario 1, read throughput: node status and a 200-guest /cluster/resources, 1 and 16 requests in flight,
// for raw undici (the floor), the pve-client, proxmox-api and proxmoxer (sequential, Python subprocess), with
// the client's CPU time per request and the simulator's own cost per request (its ceiling).
import { join } from "node:path";
import { cpuUsPerCall, drive, perSecond, sum, type LoadResult } from "../lib/load.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim, type SimProcess } from "../lib/sim-process.js";
import { RequestLog } from "../lib/sim-requests.js";
import { median } from "../lib/stats.js";
import {
  ENDPOINTS,
  GUESTS,
  proxmoxApiClient,
  proxmoxerReader,
  type ProxmoxerReader,
  pveClient,
  rawUndici,
  type Endpoint,
  type ReadClient,
  NARROW_POOL,
} from "./read-clients.js";
import { readLabel, readRows } from "./read-rows.js";

export { GUESTS };

const IN_FLIGHT = [1, 16] as const;
/** The Node clients; the pve-client with a pool smaller than the load runs at 16 in flight only (information). */
const NODE_CLIENTS = ["raw undici", "pve-client", "proxmox-api", NARROW_POOL] as const;
type NodeClientName = (typeof NODE_CLIENTS)[number];
const clientsAt = (inFlight: number): NodeClientName[] =>
  NODE_CLIENTS.filter((c) => c !== NARROW_POOL || inFlight === 16);

export interface ReadSettings {
  /** Requests per client, endpoint and concurrency, split over the rounds. */
  count: number;
  rounds: number;
  warmup: number;
}

export const readSettings = {
  full: { count: 5000, rounds: 10, warmup: 1000 },
  quick: { count: 600, rounds: 6, warmup: 400 },
  smoke: { count: 200, rounds: 2, warmup: 5 },
} satisfies Record<string, ReadSettings>;

/** One measured series: totals over the rounds, each round's own result (the rows use the median round),
 * and what the simulator spent meanwhile. */
export interface Series extends LoadResult {
  client: string;
  rounds: LoadResult[];
  endpoint: Endpoint;
  inFlight: number;
  items: number;
  simCpuMs: number;
  /** GETs the simulator recorded for this series (warm-up included), and how many were asked for. */
  received: number;
  asked: number;
}

interface Tally {
  runs: LoadResult[];
  items: number;
  simCpuMs: number;
  received: number;
  asked: number;
}
const newTally = (): Tally => ({ runs: [], items: 0, simCpuMs: 0, received: 0, asked: 0 });

/** One client as the rounds drive it: n GETs with inFlight at once, the items read. */
interface Runner {
  name: string;
  run(n: number, inFlight: number): Promise<{ result: LoadResult; items: number }>;
}

function runnersAt(
  inFlight: number,
  clients: Record<NodeClientName, ReadClient>,
  reader: ProxmoxerReader,
  endpoint: Endpoint,
): Runner[] {
  const runners: Runner[] = clientsAt(inFlight).map((name) => ({
    name,
    async run(n, k) {
      let items = 0;
      const result = await drive(n, k, async () => {
        const got = await clients[name].get(endpoint);
        items += got;
      });
      return { result, items };
    },
  }));
  // proxmoxer is sequential: it runs at 1 in flight only.
  if (inFlight === 1)
    runners.push({
      name: "proxmoxer",
      async run(n) {
        const r = await reader.run(n);
        return { result: { count: r.count, wallMs: r.wallMs, cpuUs: r.cpuUs }, items: r.items };
      },
    });
  return runners;
}

export interface ReadRaw {
  guests: number;
  series: Series[];
}

/** Guests in the simulator's sample data, so that extra guests make exactly GUESTS. */
async function sampleGuestCount(tmp: string): Promise<number> {
  const probe = await spawnSim({ caFile: join(tmp, "probe-ca.pem") });
  try {
    const c = rawUndici(probe);
    const n = await countGuests(probe);
    await c.close();
    return n;
  } finally {
    await probe.close();
  }
}

async function countGuests(sim: SimProcess): Promise<number> {
  const { request, Agent } = (await import("undici")).default; // CommonJS: module.exports, not named exports
  const agent = new Agent({ connect: { ca: sim.ca } });
  try {
    const res = await request(`${sim.url}/api2/json/cluster/resources?type=vm`, {
      dispatcher: agent,
      headers: { authorization: `PVEAPIToken=${sim.token.value}` },
    });
    return ((await res.body.json()) as { data: unknown[] }).data.length;
  } finally {
    await agent.close();
  }
}

export const readThroughput: Scenario<ReadRaw> = {
  id: "read",
  title: "Read throughput (scenario 1)",
  async run(ctx) {
    const s: ReadSettings = byMode(ctx.mode, readSettings);
    const extra = GUESTS - (await sampleGuestCount(ctx.tmpDir));
    const sim = await spawnSim({ extraGuests: extra, caFile: join(ctx.tmpDir, "sim-ca.pem") });
    const log = new RequestLog(sim);
    const series: Series[] = [];
    const clients: Record<NodeClientName, ReadClient> = {
      "raw undici": rawUndici(sim),
      "pve-client": pveClient(sim),
      [NARROW_POOL]: pveClient(sim, 4),
      "proxmox-api": proxmoxApiClient(sim),
    };
    const readers: ProxmoxerReader[] = [];
    try {
      const guests = await countGuests(sim);
      expect(guests === GUESTS, `the simulator lists ${guests} guests, not ${GUESTS}`);
      const perRound = Math.max(1, Math.floor(s.count / s.rounds));
      for (const endpoint of ENDPOINTS) {
        const apiPath =
          endpoint === "nodeStatus" ? `/nodes/${sim.node}/status` : "/cluster/resources";
        const received = async (): Promise<number> =>
          (await log.take()).filter((r) => r.method === "GET" && r.path === apiPath).length;
        const reader = await proxmoxerReader(sim, endpoint);
        readers.push(reader);
        for (const inFlight of IN_FLIGHT) {
          const runners = runnersAt(inFlight, clients, reader, endpoint);
          const acc = new Map(runners.map((r) => [r.name, newTally()]));
          await log.mark();
          for (const r of runners) {
            await r.run(s.warmup, inFlight); // let V8 (and Python) settle
            const t = acc.get(r.name) as Tally;
            t.asked += s.warmup;
            t.received += await received();
          }
          for (let round = 0; round < s.rounds; round++) {
            // Short rounds, the order rotated and, every other round, reversed: drift on a noisy machine falls on
            // every client alike, and no client always runs right after the same other one.
            const order = round % 2 === 0 ? runners : [...runners].reverse();
            for (let i = 0; i < order.length; i++) {
              const r = order[(i + (round >> 1)) % order.length] as Runner;
              const t = acc.get(r.name) as Tally;
              const cpu0 = sim.cpuMs();
              const { result, items } = await r.run(perRound, inFlight);
              t.simCpuMs += sim.cpuMs() - cpu0;
              t.runs.push(result);
              t.items += items;
              t.asked += perRound;
              t.received += await received();
            }
          }
          for (const [client, t] of acc) {
            const total = sum(t.runs);
            const { runs, ...rest } = t;
            series.push({ client, endpoint, inFlight, ...total, rounds: runs, ...rest });
            const rates = runs.map(perSecond);
            ctx.log(
              `${readLabel(endpoint)}, ${inFlight} in flight, ${client}: median ${median(rates).toFixed(0)} req/s ` +
                `(rounds ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}), ` +
                `${cpuUsPerCall(total).toFixed(0)} µs CPU/req`,
            );
          }
        }
      }
    } finally {
      for (const c of Object.values(clients)) await c.close();
      for (const r of readers) await r.close();
      await sim.close();
    }
    for (const x of series) {
      expect(
        x.received === x.asked,
        `${x.client} ${x.endpoint} ×${x.inFlight}: the simulator got ${x.received} GETs, ${x.asked} were asked`,
      );
      const per = x.endpoint === "nodeStatus" ? 1 : GUESTS;
      expect(
        x.items >= x.count * per,
        `${x.client} ${x.endpoint}: read ${x.items} items in ${x.count} GETs`,
      );
    }
    return { rows: readRows(series), raw: { guests: GUESTS, series } };
  },
};
