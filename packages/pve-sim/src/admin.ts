// The loopback admin endpoint (/_sim/…) for tests and tools in other processes: faults, recorded requests,
// tasks' truth, guests, tokens and task durations. Needs `Authorization: PVESimAdmin <secret>`.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  parseDurationsJson,
  parseFaultJson,
  parseGuestJson,
  parseTokenJson,
} from "./admin-schemas.js";
import type { SimCore } from "./core.js";
import { SimError, isSimError } from "./errors.js";
import type { FaultHandle } from "./types.js";

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": text.length });
  res.end(text);
};

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy(new Error("admin body too large"));
      else chunks.push(c);
    });
    req.on("end", () => {
      try {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve(text ? JSON.parse(text) : {});
      } catch (err) {
        reject(new SimError("SIM_INVALID_OPTION", `admin body: ${String(err)}`, { cause: err }));
      }
    });
    req.on("error", reject);
  });
}

const isLoopback = (addr: string | undefined): boolean =>
  !!addr && (addr === "::1" || addr.startsWith("127.") || addr.startsWith("::ffff:127."));

export class AdminApi {
  private readonly handles = new Map<number, FaultHandle>();
  private nextId = 1;

  private readonly core: SimCore;

  constructor(core: SimCore) {
    this.core = core;
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? "";
    const given = Buffer.from(/^PVESimAdmin (.+)$/.exec(header)?.[1] ?? "");
    const secret = Buffer.from(this.core.options.adminSecret);
    return (
      isLoopback(req.socket.remoteAddress) &&
      given.length === secret.length &&
      timingSafeEqual(given, secret)
    );
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: string,
  ): Promise<void> {
    if (!this.authorized(req))
      return send(res, 403, {
        error: "admin endpoint needs 'Authorization: PVESimAdmin <secret>' from loopback",
      });
    const { core } = this;
    const method = req.method ?? "GET";
    try {
      if (path === "/_sim/requests" && method === "GET") {
        const since = Number(new URLSearchParams(query).get("since") ?? 0);
        return send(
          res,
          200,
          core.requests.filter((r) => r.seq > since),
        );
      }
      if (path === "/_sim/faults" && method === "POST") {
        const handle = core.faults.add(parseFaultJson(await readJson(req)));
        const id = this.nextId++;
        this.handles.set(id, handle);
        return send(res, 200, { id });
      }
      if (path === "/_sim/faults" && method === "DELETE") {
        core.faults.clear();
        this.handles.clear();
        return send(res, 200, { cleared: true });
      }
      const fault = /^\/_sim\/faults\/(\d+)$/.exec(path);
      if (fault) {
        const handle = this.handles.get(Number(fault[1]));
        if (!handle) return send(res, 404, { error: "no such fault" });
        if (method === "DELETE") {
          handle.remove();
          this.handles.delete(Number(fault[1]));
        }
        return send(res, 200, { hits: handle.hits });
      }
      if (path === "/_sim/tasks" && method === "GET") {
        return send(
          res,
          200,
          core.state.tasks.all().map((t) => ({
            upid: t.upid,
            type: t.type,
            id: t.id,
            user: t.user,
            status: t.status,
            exitstatus: t.exitstatus,
          })),
        );
      }
      if (path === "/_sim/guests" && method === "POST") {
        const g = core.state.addGuest(parseGuestJson(await readJson(req)));
        return send(res, 200, { vmid: g.vmid, type: g.type, status: g.status });
      }
      if (path === "/_sim/tokens" && method === "POST") {
        return send(res, 200, core.state.access.addToken(parseTokenJson(await readJson(req))));
      }
      if (path === "/_sim/durations" && method === "POST") {
        for (const [type, ms] of Object.entries(parseDurationsJson(await readJson(req))))
          core.state.tasks.durations.set(type, ms);
        return send(res, 200, Object.fromEntries(core.state.tasks.durations));
      }
      return send(res, 404, { error: `no admin route ${method} ${path}` });
    } catch (err) {
      const status = isSimError(err) ? 400 : 500;
      return send(res, status, { error: err instanceof Error ? err.message : String(err) });
    }
  }
}
