// Test helpers: a small HTTPS client (node:https, pinned to the simulator's CA) and task waiting.
import { request } from "node:https";
import type { ManualClock, Sim } from "../src/index.js";

export interface ApiAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  /** Parsed JSON body, or undefined for an empty/non-JSON body. */
  json:
    | {
        data?: unknown;
        errors?: Record<string, string>;
        message?: string;
        total?: number;
        [k: string]: unknown;
      }
    | undefined;
  data: unknown;
}

export interface CallOptions {
  token?: string;
  /** Send params as a JSON body instead of a form body. */
  json?: boolean;
  headers?: Record<string, string>;
  body?: string | Buffer;
  prefix?: string;
}

export function call(
  sim: Sim,
  method: string,
  path: string,
  params?: Record<string, unknown>,
  opts: CallOptions = {},
): Promise<ApiAnswer> {
  let body: Buffer | undefined;
  const headers: Record<string, string | number> = { ...opts.headers };
  const token = opts.token ?? sim.token.value;
  if (token) headers.Authorization = `PVEAPIToken=${token}`;
  let url = `${sim.url}${opts.prefix ?? "/api2/json"}${path}`;
  if (params && (method === "GET" || method === "DELETE")) {
    const q = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    if (q) url += `?${q}`;
  } else if (params) {
    if (opts.json) {
      body = Buffer.from(JSON.stringify(params));
      headers["Content-Type"] = "application/json";
    } else {
      body = Buffer.from(
        new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString(),
      );
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
  }
  if (opts.body !== undefined) body = Buffer.from(opts.body);
  if (body) headers["Content-Length"] = body.length;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: sim.ca, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let json: ApiAnswer["json"];
        try {
          json = raw ? (JSON.parse(raw) as ApiAnswer["json"]) : undefined;
        } catch {
          json = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          raw,
          json,
          data: json?.data,
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

export const enc = encodeURIComponent;

/**
 * Waits for the task to stop (the simulator's own completion signal, whatever its clock), lets the simulator's
 * clock pass (a manual clock: moves it past) the early "no such task" window if the task is younger than that, and answers the task status
 * as GET …/status reports it (which must say stopped). No polling, no wall-clock budget.
 */
export async function waitTask(
  sim: Sim,
  upid: string,
  node = sim.node,
): Promise<Record<string, unknown>> {
  const task = await sim.state.tasks.wait(upid);
  const early = task.visibleFromMs - sim.clock.now();
  const clock = sim.clock as Partial<ManualClock>;
  if (early > 0 && clock.advance) await clock.advance(early);
  else if (early > 0) await new Promise<void>((res) => sim.clock.setTimeout(res, early));
  const r = await call(sim, "GET", `/nodes/${node}/tasks/${enc(upid)}/status`);
  const d = r.data as Record<string, unknown> | undefined;
  if (r.status !== 200 || d?.status !== "stopped")
    throw new Error(`task ${upid} stopped, but its status answered ${r.status} ${r.raw}`);
  return d;
}

/**
 * Resolves once `cond` holds, checking again after each turn of the event loop (I/O included): waits for a
 * state the simulator reaches when a request has arrived, without a sleep or a time budget.
 */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((res) => setImmediate(res));
}

/** The whole log of a task as text lines. */
export async function taskLog(sim: Sim, upid: string): Promise<string[]> {
  const r = await call(sim, "GET", `/nodes/${sim.node}/tasks/${enc(upid)}/log`, { limit: 0 });
  return (r.data as Array<{ t: string }>).map((l) => l.t);
}

export const upidOf = (a: ApiAnswer): string => {
  if (a.status !== 200 || typeof a.data !== "string")
    throw new Error(`expected a UPID, got ${a.status} ${a.statusText} ${a.raw}`);
  return a.data;
};
