// The four ways the read-throughput scenario reads the simulator: raw undici + JSON.parse (the floor), the
// pve-client, the `proxmox-api` npm package, and proxmoxer in a Python subprocess. Each Node client answers
// with the number of items it got, so a run that silently reads nothing cannot pass as fast.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { Client } from "@felhom/pve-client";
import proxmoxApi, { type ProxmoxEngineOptions } from "proxmox-api";
import undici from "undici";
import { PYTHON, BENCH_DIR } from "../lib/paths.js";
import type { SimProcess } from "../lib/sim-process.js";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { Agent } = undici;

/** Guests in the simulator for the resources list. */
export const GUESTS = 200;

export type Endpoint = "nodeStatus" | "resources";
export const ENDPOINTS: readonly Endpoint[] = ["nodeStatus", "resources"];

export interface ReadClient {
  name: string;
  /** One GET; resolves with the number of items read (1 for an object). */
  get(endpoint: Endpoint): Promise<number>;
  close(): Promise<void>;
}

const count = (data: unknown): number => (Array.isArray(data) ? data.length : data ? 1 : 0);

function paths(node: string): Record<Endpoint, string> {
  return {
    nodeStatus: `/api2/json/nodes/${encodeURIComponent(node)}/status`,
    resources: "/api2/json/cluster/resources",
  };
}

/**
 * The floor: undici's lowest-level API (Dispatcher.dispatch on a keep-alive Agent), the chunks concatenated,
 * decoded and JSON.parse'd, nothing checked. undici's request() convenience API costs more per call than this.
 */
export function rawUndici(sim: SimProcess): ReadClient {
  const agent = new Agent({ connect: { ca: sim.ca } });
  const headers = { authorization: `PVEAPIToken=${sim.token.value}` };
  const p = paths(sim.node);
  const get = (path: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      agent.dispatch(
        { origin: sim.url, path, method: "GET", headers },
        {
          onRequestStart: () => undefined, // marks the handler as undici 7's
          onResponseStart: (_c, statusCode) => void (status = statusCode),
          onResponseData: (_c, chunk) => void chunks.push(chunk),
          onResponseEnd: () => {
            if (status !== 200) return reject(new Error(`raw GET ${path}: ${status}`));
            try {
              resolve(
                (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: unknown }).data,
              );
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
          onResponseError: (_c, err) => reject(err),
        },
      );
    });
  return {
    name: "raw undici",
    get: async (endpoint) => count(await get(p[endpoint])),
    close: () => agent.close(),
  };
}

/** The name of the pve-client series with `connections: 4` (its default before the read scenario's findings). */
export const NARROW_POOL = "pve-client, 4 connections";

/** The pve-client as the agent uses it: validated, normalised results; its default pool (16 connections). */
export function pveClient(sim: SimProcess, connections?: number): ReadClient {
  const client = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { ca: sim.ca },
    ...(connections !== undefined ? { connections } : {}),
  });
  return {
    name: connections === undefined ? "pve-client" : NARROW_POOL,
    async get(endpoint) {
      if (endpoint === "nodeStatus") return count(await client.nodeStatus(sim.node));
      return count(await client.clusterResources());
    },
    close: () => client.close(),
  };
}

type Fetch6 = NonNullable<ProxmoxEngineOptions["fetch"]>;
type Undici6 = {
  fetch: (url: string | URL, init: object) => Promise<unknown>;
  Agent: new (o: object) => { close(): Promise<void> };
};

/** The `proxmox-api` package on its own undici (6.x) fetch, given the simulator's CA (never the global switch). */
export function proxmoxApiClient(sim: SimProcess): ReadClient {
  const undici6 = createRequire(import.meta.resolve("proxmox-api"))("undici") as Undici6;
  const dispatcher = new undici6.Agent({ connect: { ca: sim.ca } });
  const px = proxmoxApi({
    host: sim.host,
    port: sim.port,
    tokenID: sim.token.id,
    tokenSecret: sim.token.secret,
    fetch: ((url, init) => undici6.fetch(url, { ...init, dispatcher })) as Fetch6,
  });
  return {
    name: "proxmox-api",
    async get(endpoint) {
      if (endpoint === "nodeStatus") return count(await px.nodes.$(sim.node).status.$get());
      return count(await px.cluster.resources.$get());
    },
    close: () => dispatcher.close(),
  };
}

export interface PythonRun {
  count: number;
  items: number;
  wallMs: number;
  /** CPU time of the Python process during its request loop, in µs. */
  cpuUs: number;
}

/** proxmoxer in one long-lived Python process (settings and secret on stdin) that runs GETs when asked. */
export interface ProxmoxerReader {
  run(n: number): Promise<PythonRun>;
  close(): Promise<void>;
}

export async function proxmoxerReader(
  sim: SimProcess,
  endpoint: Endpoint,
): Promise<ProxmoxerReader> {
  if (!sim.caFile) throw new Error("proxmoxer needs the simulator's CA in a file");
  const settings = {
    host: sim.host,
    port: sim.port,
    user: sim.token.user,
    token_name: sim.token.name,
    secret: sim.token.secret,
    ca_file: sim.caFile,
    node: sim.node,
    endpoint,
  };
  const child = spawn(PYTHON, [`${BENCH_DIR}/py/proxmoxer_reads.py`], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-3000)));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (): void => reject(new Error(`proxmoxer driver exited: ${err}`));
      child.once("close", onExit);
      lines.once("line", (line) => {
        child.off("close", onExit);
        resolve(line);
      });
    });
  child.stdin.write(`${JSON.stringify(settings)}\n`);
  const first = await next();
  if (first !== "ready") throw new Error(`proxmoxer driver said ${first.slice(0, 300)}: ${err}`);
  return {
    async run(n) {
      child.stdin.write(`run ${n}\n`);
      const r = JSON.parse(await next()) as {
        count: number;
        items: number;
        wall_sec: number;
        cpu_sec: number;
      };
      return { count: r.count, items: r.items, wallMs: r.wall_sec * 1000, cpuUs: r.cpu_sec * 1e6 };
    },
    async close() {
      child.stdin.end("quit\n");
      await exited;
    },
  };
}
