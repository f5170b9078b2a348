// The HTTPS listener: pveproxy-like timeouts, routing /api2 to the pipeline and /_sim to the admin API, and a
// close() that also drops open keep-alive connections.
import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import type { AdminApi } from "./admin.js";
import type { SimCore } from "./core.js";
import type { Pipeline } from "./http/pipeline.js";
import { uriUnescape } from "./http/request-utils.js";
import { sendBodyless } from "./http/respond.js";

export interface Listener {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  core: SimCore,
  pipeline: Pipeline,
  admin: AdminApi,
  tls: { key: string; cert: string },
  host: string,
  port: number,
): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server = createServer(
    { key: tls.key, cert: tls.cert, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = uriUnescape(q < 0 ? url : url.slice(0, q));
      const query = q < 0 ? "" : url.slice(q + 1);
      const work = path.startsWith("/_sim/")
        ? admin.handle(req, res, path, query)
        : pipeline.handle(req, res, path, query);
      work.catch((err: unknown) => {
        core.log(
          `request failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        if (!res.headersSent) sendBodyless(res, 500, "internal error");
        else res.destroy();
      });
    },
  );
  // pveproxy closes idle keep-alive connections after 5 s.
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
