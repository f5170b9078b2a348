// Scenario 1, read throughput: node status and a 200-guest /cluster/resources, 1 and 16 requests in flight,
// for raw undici (the floor), the pve-client, proxmox-api and proxmoxer (sequential, Python subprocess), with
// the client's CPU time per request and the simulator's own cost per request (its ceiling).
import { join } from "node:path";
import { cpuUsPerCall, drive, perSecond, sum, type LoadResult } from "../lib/load.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim, type SimProcess } from "../lib/sim-process.js";
import { RequestLog } from "../lib/sim-requests.js";
import {
  ENDPOINTS,
  GUESTS,
  proxmoxApiClient,
  proxmoxerReads,
  pveClient,
  rawUndici,
  type Endpoint,
  type ReadClient,
  WIDE_POOL,
} from "./read-clients.js";
import { readLabel, readRows } from "./read-rows.js";

export { GUESTS };

const IN_FLIGHT = [1, 16] as const;
/** The Node clients; the pve-client with a pool as large as the load runs at 16 in flight only (information). */
const NODE_CLIENTS = ["raw undici", "pve-client", "proxmox-api", WIDE_POOL] as const;
type NodeClientName = (typeof NODE_CLIENTS)[number];
const clientsAt = (inFlight: number): NodeClientName[] =>
  NODE_CLIENTS.filter((c) => c !== WIDE_POOL || inFlight === 16);

export interface ReadSettings {
  /** Requests per client, endpoint and concurrency, split over the rounds. */
  count: number;
  rounds: number;
  warmup: number;
}

export const readSettings = {
  full: { count: 5000, rounds: 5, warmup: 1000 },
  quick: { count: 600, rounds: 3, warmup: 500 },
  smoke: { count: 200, rounds: 1, warmup: 5 },
} satisfies Record<string, ReadSettings>;

/** One measured series: totals over the rounds, plus what the simulator spent meanwhile. */
/** Totals over the rounds, and each round's own result (the rows use the median round). */
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
  const { request, Agent } = await import("undici");
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
      [WIDE_POOL]: pveClient(sim, 16),
      "proxmox-api": proxmoxApiClient(sim),
    };
    try {
      const guests = await countGuests(sim);
      expect(guests === GUESTS, `the simulator lists ${guests} guests, not ${GUESTS}`);
      const perRound = Math.max(1, Math.floor(s.count / s.rounds));
      for (const endpoint of ENDPOINTS) {
        const apiPath =
          endpoint === "nodeStatus" ? `/nodes/${sim.node}/status` : "/cluster/resources";
        const received = async (): Promise<number> =>
          (await log.take()).filter((r) => r.method === "GET" && r.path === apiPath).length;
        for (const inFlight of IN_FLIGHT) {
          const acc = new Map<
            string,
            { runs: LoadResult[]; items: number; simCpuMs: number; received: number; asked: number }
          >();
          const entry = (name: string) => {
            let e = acc.get(name);
            if (!e) acc.set(name, (e = { runs: [], items: 0, simCpuMs: 0, received: 0, asked: 0 }));
            return e;
          };
          await log.mark();
          for (let round = 0; round < s.rounds; round++) {
            // Rotate the order each round so that drift on a noisy machine falls on every client alike.
            const names = clientsAt(inFlight);
            const order = names.map((_, i) => names[(i + round) % names.length] as NodeClientName);
            for (const name of order) {
              const c = clients[name];
              const e = entry(name);
              const warm = round === 0 ? s.warmup : 0;
              for (let i = 0; i < warm; i++) await c.get(endpoint);
              let items = 0;
              const cpu0 = sim.cpuMs();
              const r = await drive(perRound, inFlight, async () => {
                const n = await c.get(endpoint);
                items += n;
              });
              e.simCpuMs += sim.cpuMs() - cpu0;
              e.runs.push(r);
              e.items += items;
              e.asked += perRound + warm;
              e.received += await received();
            }
            if (inFlight === 1) {
              const e = entry("proxmoxer");
              const warm = Math.min(s.warmup, 20);
              const cpu0 = sim.cpuMs();
              const r = await proxmoxerReads(sim, endpoint, perRound, warm);
              e.simCpuMs += sim.cpuMs() - cpu0; // includes the Python start-up's idle time: no requests then
              e.runs.push({ count: r.count, wallMs: r.wallMs, cpuUs: r.cpuUs });
              e.items += r.items;
              e.asked += perRound + warm;
              e.received += await received();
            }
          }
          for (const [client, e] of acc) {
            const total = sum(e.runs);
            series.push({
              client,
              endpoint,
              inFlight,
              ...total,
              rounds: e.runs,
              items: e.items,
              simCpuMs: e.simCpuMs,
              received: e.received,
              asked: e.asked,
            });
            ctx.log(
              `${readLabel(endpoint)}, ${inFlight} in flight, ${client}: ${e.runs.map((r) => perSecond(r).toFixed(0)).join(" ")} req/s, ${cpuUsPerCall(total).toFixed(0)} µs CPU/req`,
            );
          }
        }
      }
    } finally {
      for (const c of Object.values(clients)) await c.close();
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
