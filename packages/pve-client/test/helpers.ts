// Test helpers: a plain-HTTP loopback server that answers like pveproxy (custom status lines, resets),
// a log capture, a client wired to either, and the task-status answer scripted task readers return.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import undici from "undici";
import {
  Client,
  type ClientOptions,
  type Logger,
  type TaskStatus,
  type Upid,
} from "@felhom/pve-client";
// undici is CommonJS: a default import, never Node's named-export detection (issue 13).
const { Agent } = undici;

export const SECRET = "0b7c3f52-3c8e-4f7a-9d6e-2a1b0c9d8e7f";
export const TOKEN = `felhom@pve!agent=${SECRET}`;

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse, n: number) => void;

/** A loopback HTTP server; `seen` records every request that arrived in full. */
export async function startServer(handler: Handler) {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(r);
      handler(r, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers like PVE: JSON envelope, message also in the reason phrase. */
export function reply(res: ServerResponse, status: number, body: unknown, reason?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, reason ?? (status === 200 ? "OK" : "Error"), {
    "content-type": "application/json;charset=UTF-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export interface Captured {
  logger: Logger;
  lines: string[];
}

/** A trace-level logger that keeps every line as JSON text. */
export function captureLogger(): Captured {
  const lines: string[] = [];
  const rec = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, msg, ...obj }));
  };
  return {
    lines,
    logger: {
      trace: rec("trace"),
      debug: rec("debug"),
      info: rec("info"),
      warn: rec("warn"),
      error: rec("error"),
      isLevelEnabled: () => true,
    },
  };
}

/** A client on a plain-HTTP test server (allowed only because a dispatcher is injected). */
export function httpClient(url: string, extra: Partial<ClientOptions> = {}) {
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });
  const client = new Client({
    baseUrl: url,
    token: TOKEN,
    dispatcher,
    retry: { attempts: 3, baseMs: 5, maxMs: 20 },
    timeouts: { requestMs: 2000 },
    ...extra,
  });
  return { client, close: () => dispatcher.close() };
}

export const UPID = "UPID:pve:00001234:00005678:6650A1B2:vzstart:100:felhom@pve!agent:";

/** The status of task `upid`: running, or stopped with `exitstatus` when one is given. */
export function taskStatusAnswer(upid: Upid, exitstatus?: string): TaskStatus {
  return {
    upid: upid.raw,
    node: "pve",
    pid: 1,
    pstart: 2,
    starttime: 3,
    type: upid.type,
    id: upid.id,
    user: upid.user,
    status: exitstatus === undefined ? "running" : "stopped",
    ...(exitstatus === undefined ? {} : { exitstatus }),
  };
}
