// Library entry of the helper (main.ts is the production one): listens on a Unix socket, serves only peers whose
// kernel-reported uid and gid are the agent's (or uid 0), guards the framing, registers the contract's handlers, enforces
// the limits, and writes one JSON audit line per connection and per request (denials included).
import { readFileSync, readlinkSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { pipeline } from "node:stream";
import {
  HelperErrorCode,
  HelperFailure,
  isHelperFailure,
  PROTOCOL as protocol,
  PROTOCOL_VERSION as version,
  methodNames as methods,
  coalescingAudit,
  connectionFromFrames,
  registerHelperMethods,
  type Handler,
  type MethodKey,
} from "@felhom/helper-protocol";
import { DEFAULT_LIMITS, type HelperConfig, type Limits } from "./config.js";
import { FrameGuard, rateCap } from "./framing.js";
import { goldenHandler } from "./golden.js";
import { loadPeerCred, type PeerCred } from "./peer.js";
import { sensorsHandler } from "./sensors.js";
import { smartHandler } from "./smart.js";
import { usbHandlers } from "./usb.js";

/** `address`: the socket path. `close()`: stops accepting, lets running operations finish (a killed pct create
 * leaves a locked container), then closes every connection. */
export type RunningHelper = { readonly address: string; close(): Promise<void> };

export async function startHelper(config: HelperConfig): Promise<RunningHelper> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits };
  const peerOf = loadPeerCred(); // no addon, no helper: the peer check is never skipped
  const log = coalescingAudit(
    config.audit ?? ((line: string) => process.stderr.write(`${line}\n`)),
    limits.auditWindowMs,
  );
  type Fields = { method: string; decision: string; [field: string]: unknown };
  const audit = (peer: PeerCred | undefined, fields: Fields): void =>
    log.write({ time: new Date().toISOString(), peer: peer ?? null, ...fields });
  // Built once, so the pct create lock and the mount queue hold across connections.
  const golden = goldenHandler(config.tools, config, limits);
  const usb = usbHandlers(config.tools, config, limits);
  const smart = smartHandler(config.tools, config, limits);
  const sensors = sensorsHandler(config.tools, config.sysDir, limits);
  const running = new Set<Promise<unknown>>();
  const sockets = new Set<Socket>();
  let serving = false;
  // Mount operations wait their turn here. One whose deadline passes or whose peer goes away (or cancels) while it
  // waits leaves at once, answered, and never runs; once running, it runs to its end.
  let mountQueue: Promise<unknown> = Promise.resolve();
  const failureOf = (why: unknown): HelperFailure =>
    isHelperFailure(why) ? why : new HelperFailure("CANCELLED");
  const queued =
    <K extends MethodKey>(handler: Handler<K>): Handler<K> =>
    (params, ctx) =>
      new Promise((resolve, reject) => {
        const leave = (): void => reject(failureOf(ctx.signal.reason));
        ctx.signal.addEventListener("abort", leave, { once: true });
        const turn = mountQueue.then(() => {
          ctx.signal.removeEventListener("abort", leave);
          if (ctx.signal.aborted) throw failureOf(ctx.signal.reason);
          return handler(params, ctx);
        });
        mountQueue = turn.catch(() => undefined);
        turn.then(resolve, reject);
      });

  const server = createServer((socket) => {
    socket.on("error", () => undefined);
    const peer = peerOf(socket); // undefined when the kernel gives no answer: refused below
    // The agent's uid and primary gid, or root (the CLI run as root gains nothing it does not already have).
    const allowed =
      serving &&
      (peer?.uid === 0 || (peer?.uid === config.agentUid && peer.gid === config.agentGid));
    const code = allowed ? undefined : HelperErrorCode.PEER_DENIED;
    audit(peer, { method: "(connect)", decision: allowed ? "ok" : "denied", code });
    if (!allowed) return void socket.destroy();
    sockets.add(socket);
    const guard = new FrameGuard(limits, rateCap(limits.maxRequestsPerSecond));
    const flow = { settled: () => guard.settle(), maxQueuedBytes: limits.maxQueuedBytes };
    const conn = connectionFromFrames(guard, socket, flow);
    const gone = new AbortController(); // aborts every request of this connection when it closes
    let inFlight = 0;
    // Every method goes through here: Busy beyond maxInFlight, Timeout after its deadline. A timed-out
    // operation still runs to its end (pct create is never killed); its outcome is then audited on its own line.
    const limit =
      <K extends MethodKey>(handler: Handler<K>, timeoutMs = limits.requestTimeoutMs): Handler<K> =>
      async (params, ctx) => {
        if (inFlight >= limits.maxInFlight) throw new HelperFailure("BUSY");
        inFlight++;
        const [expired, notes] = [new AbortController(), {} as Record<string, unknown>];
        const signal = AbortSignal.any([ctx.signal, expired.signal]);
        const note = (fields: Record<string, unknown>): void => (
          Object.assign(notes, fields),
          ctx.note(fields)
        );
        const op = Promise.resolve().then(() => handler(params, { signal, note }));
        const settle = (outcome: string) => (): void => {
          inFlight--;
          running.delete(op);
          if (expired.signal.aborted && notes.exec !== undefined)
            audit(peer, { method: "(after timeout)", decision: outcome, ...notes });
        };
        running.add(op);
        op.then(settle("ok"), settle("failed"));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            expired.abort(new HelperFailure("TIMEOUT"));
            reject(new HelperFailure("TIMEOUT"));
          }, timeoutMs);
        });
        return await Promise.race([op, deadline]).finally(() => clearTimeout(timer));
      };
    const handlers = {
      hello: limit<"hello">(() => ({ protocol, version, methods })),
      createContainer: limit(golden, limits.createTimeoutMs),
      usbMount: limit(queued(usb.usbMount)),
      usbUnmount: limit(queued(usb.usbUnmount)),
      smart: limit(smart),
      sensors: limit(sensors),
    };
    const onAudit = (record: Fields): void => audit(peer, record);
    registerHelperMethods(conn, handlers, { onAudit, signal: gone.signal });
    pipeline(socket, guard, () => socket.destroy());
    conn.onError(() => socket.destroy()); // e.g. a body that is not JSON, a duplicate id, unread answers
    socket.setTimeout(limits.idleTimeoutMs, () => inFlight === 0 && socket.destroy());
    socket.on("close", () => (gone.abort(), conn.dispose(), sockets.delete(socket)));
    conn.listen();
  });
  server.maxConnections = limits.maxConnections;
  // A {path} is a new socket; an {fd} is one already listening (systemd's). A failed listen rejects.
  await new Promise((resolve, reject) =>
    server.once("error", reject).listen(config.listen, () => resolve(null)),
  );
  if ("path" in config.listen) await chmod(config.listen.path, 0o660);
  const address = "path" in config.listen ? config.listen.path : boundPath(config.listen.fd);
  try {
    config.verifySocket?.(address);
  } catch (err) {
    server.close();
    throw err;
  }
  serving = true;
  return {
    address,
    close: async () => {
      serving = false;
      const stopped = new Promise((resolve) => server.close(resolve));
      await Promise.allSettled([...running]);
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the last answers reach their sockets
      for (const socket of sockets) socket.end(() => socket.destroy());
      await stopped;
      log.flush();
    },
  };
}

/** The path a listening Unix socket fd is bound to, from the kernel's /proc/net/unix ("" if none). Node knows
 * it only for a socket it bound itself. Columns: Num RefCount Protocol Flags Type St Inode Path. */
function boundPath(fd: number): string {
  const inode = /^socket:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  const rows = readFileSync("/proc/net/unix", "utf8")
    .split("\n")
    .map((row) => row.trim().split(/\s+/));
  return rows.find((columns) => columns[6] === inode)?.[7] ?? "";
}
