// Scenario 2, large responses: a 10,000-guest /cluster/resources body, fetched once from the simulator, then
// parsed and validated by the pve-client (served from memory by an undici MockAgent, so the client's whole
// path runs but no socket) against JSON.parse alone of the same bytes (UTF-8 decode included). Medians of
// interleaved repetitions.
import { Client } from "@felhom/pve-client";
import undici from "undici";
import { row } from "../lib/results.js";
import { byMode, expect, type Scenario } from "../lib/scenario.js";
import { spawnSim } from "../lib/sim-process.js";
import { median } from "../lib/stats.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { Agent, MockAgent, request } = undici;

export const LARGE_GUESTS = 10_000;

export const largeSettings = {
  full: { repeats: 40, warmup: 5 },
  quick: { repeats: 12, warmup: 3 },
  smoke: { repeats: 2, warmup: 1 },
};

export interface LargeRaw {
  bytes: number;
  items: number;
  guests: number;
  parseMs: number[];
  clientMs: number[];
}

/** The body of /cluster/resources from a simulator with `guests` extra guests. */
async function fetchBody(guests: number): Promise<{ body: Buffer; token: string }> {
  const sim = await spawnSim({ extraGuests: guests });
  const agent = new Agent({ connect: { ca: sim.ca } });
  try {
    const res = await request(`${sim.url}/api2/json/cluster/resources`, {
      dispatcher: agent,
      headers: { authorization: `PVEAPIToken=${sim.token.value}` },
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode === 200, `GET /cluster/resources answered ${res.statusCode}`);
    return { body, token: sim.token.value };
  } finally {
    await agent.close();
    await sim.close();
  }
}

export const largeResponse: Scenario<LargeRaw> = {
  id: "large",
  title: "Large responses (scenario 2)",
  async run(ctx) {
    const s = byMode(ctx.mode, largeSettings);
    const { body, token } = await fetchBody(LARGE_GUESTS);
    const origin = "https://pve.bench.invalid";
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get(origin)
      .intercept({ path: "/api2/json/cluster/resources", method: "GET" })
      .reply(200, body, { headers: { "content-type": "application/json;charset=UTF-8" } })
      .persist();
    const client = new Client({ baseUrl: origin, token, dispatcher: mock });
    const parseMs: number[] = [];
    const clientMs: number[] = [];
    let items = 0;
    let guests = 0;
    try {
      for (let i = 0; i < s.warmup + s.repeats; i++) {
        // Interleaved, so a slow moment of the machine falls on both.
        let t0 = performance.now();
        const parsed = JSON.parse(body.toString("utf8")) as { data: Array<{ type: string }> };
        const tParse = performance.now() - t0;
        t0 = performance.now();
        const list = await client.clusterResources();
        const tClient = performance.now() - t0;
        expect(
          list.length === parsed.data.length,
          `client gave ${list.length} items, JSON.parse ${parsed.data.length}`,
        );
        items = list.length;
        guests = list.filter((r) => r.type === "lxc" || r.type === "qemu").length;
        if (i >= s.warmup) {
          parseMs.push(tParse);
          clientMs.push(tClient);
        }
      }
    } finally {
      await client.close();
      await mock.close();
    }
    expect(guests >= LARGE_GUESTS, `the list holds ${guests} guests, fewer than ${LARGE_GUESTS}`);
    const mb = (body.length / 1e6).toFixed(1);
    ctx.log(
      `${items} resources, ${mb} MB: JSON.parse ${median(parseMs).toFixed(1)} ms, client ${median(clientMs).toFixed(1)} ms`,
    );
    const name = `parse /cluster/resources (${LARGE_GUESTS.toLocaleString("en-US")} guests, ${mb} MB)`;
    return {
      rows: [
        row({ name, metric: "JSON.parse alone, median", unit: "ms", value: median(parseMs) }),
        row({
          name,
          metric: "pve-client parse + validate vs JSON.parse, median",
          unit: "ms",
          value: median(clientMs),
          baseline: median(parseMs),
          target: { op: "<=", ratio: 2 },
        }),
      ],
      raw: { bytes: body.length, items, guests, parseMs, clientMs },
    };
  },
};
