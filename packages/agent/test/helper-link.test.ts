// The agent's helper link over a real Unix socket: it connects on first use, reconnects after the helper dropped
// an idle connection, retries a read-only call whose connection broke, and never sends a mutating call twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  isHelperError,
  PROTOCOL,
  PROTOCOL_VERSION,
  connectionFromStreams,
  methodNames,
  registerHelperMethods,
} from "@felhom/helper-protocol";
import type { Handlers } from "@felhom/helper-protocol";
import { HelperLink } from "../src/index.js";

interface FakeHelper {
  socket: string;
  connections: number;
  /** Close every new connection at once (as the helper's peer check does). */
  refuse: boolean;
  calls: Record<string, number>;
  /** Behaviour of the next calls: "ok", or "drop" (destroy the connection instead of answering). */
  next: { sensors: "ok" | "drop"; create: "drop" };
  dropAll(): void;
  close(): Promise<void>;
}

async function fakeHelper(): Promise<FakeHelper> {
  const dir = await mkdtemp(join(tmpdir(), "felhom-link-"));
  const path = join(dir, "helper.sock");
  const sockets = new Set<Socket>();
  const state: FakeHelper = {
    socket: path,
    connections: 0,
    refuse: false,
    calls: {},
    next: { sensors: "ok", create: "drop" },
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      state.dropAll();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
  const count = (m: string): number => (state.calls[m] = (state.calls[m] ?? 0) + 1);
  const server = createServer((socket) => {
    state.connections++;
    if (state.refuse) return void socket.destroy();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const conn = connectionFromStreams(socket, socket);
    const never = new Promise<never>(() => undefined);
    const handlers: Handlers = {
      hello: () => ({ protocol: PROTOCOL, version: PROTOCOL_VERSION, methods: methodNames }),
      sensors: () => {
        count("sensors");
        if (state.next.sensors === "drop") {
          state.next.sensors = "ok";
          socket.destroy();
          return never;
        }
        return { readings: [] };
      },
      createContainer: () => {
        count("createContainer");
        socket.destroy();
        return never;
      },
      usbMount: () => never,
      usbUnmount: () => never,
      smart: () => never,
    };
    registerHelperMethods(conn, handlers);
    conn.listen();
  });
  await new Promise<void>((r) => server.listen(path, r));
  return state;
}

test("helper link – connects on first use and reconnects after the helper closed an idle connection", async () => {
  const h = await fakeHelper();
  const link = new HelperLink(h.socket);
  try {
    assert.equal(h.connections, 0, "nothing happens before the first call");
    assert.deepEqual(await link.call((c) => c.sensors(), true), { readings: [] });
    assert.equal(link.info?.protocol, PROTOCOL);
    const first = await link.client();
    h.dropAll();
    await until(() => first.closed); // the link has seen the helper close it: the next call must reconnect
    assert.deepEqual(await link.call((c) => c.sensors(), true), { readings: [] });
    assert.equal(h.connections, 2);
  } finally {
    link.close();
    await h.close();
  }
});

test("helper link – a read-only call whose connection broke is sent once more; a mutating one never", async () => {
  const h = await fakeHelper();
  const link = new HelperLink(h.socket);
  try {
    h.next.sensors = "drop";
    assert.deepEqual(await link.call((c) => c.sensors(), true), { readings: [] });
    assert.equal(h.calls.sensors, 2, "retried on a new connection");
    const params = {
      vmid: 9000,
      ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
      storage: "local-lvm",
      hostname: "golden",
      memory: 1024,
      cores: 2,
      rootfsGiB: 8,
      bridge: "vmbr0",
    };
    await assert.rejects(
      link.call((c) => c.createContainer(params), false),
      (err: unknown) => isHelperError(err) && err.code === "HELPER_CLOSED",
    );
    // A barrier instead of a pause: the link has one connection at a time and the helper answers in order, so
    // once a later call is answered, a re-sent create would have reached the helper before it.
    assert.deepEqual(await link.call((c) => c.sensors(), true), { readings: [] });
    assert.equal(h.calls.sensors, 3);
    assert.equal(
      h.calls.createContainer,
      1,
      "pct create reached the helper once and was not sent again",
    );
  } finally {
    link.close();
    await h.close();
  }
});

test("helper link – no helper listening: a typed connect error; a closed link refuses calls", async () => {
  const link = new HelperLink("/nonexistent/felhom/helper.sock", { connectTimeoutMs: 1000 });
  await assert.rejects(
    link.client(),
    (err: unknown) => isHelperError(err) && err.code === "HELPER_CONNECT_FAILED",
  );
  link.close();
  await assert.rejects(
    link.client(),
    (err: unknown) => isHelperError(err) && err.code === "HELPER_CLOSED",
  );
});

/** Lets real socket I/O run for `n` event-loop turns (setImmediate is not mocked). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Lets real socket I/O run (setImmediate is not mocked) until `done()` holds; a bounded number of turns. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(done(), "the condition never held");
}

test("helper link – with retry, a refusing helper is retried with bounded backoff (mock timers), then served", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const h = await fakeHelper();
  h.refuse = true; // closes every connection at once, as the helper's peer check does
  const link = new HelperLink(h.socket, { retry: { minMs: 1000, maxMs: 8000 } });
  const failures = (): number => {
    const s = link.status();
    return s.state === "failed" ? s.failures : 0;
  };
  try {
    assert.deepEqual(link.status(), { state: "unknown" });
    await assert.rejects(
      link.client(),
      (e: unknown) => isHelperError(e) && e.code === "HELPER_CLOSED",
    );
    assert.deepEqual(link.status(), {
      state: "failed",
      code: "HELPER_CLOSED",
      message: `${h.socket}: the helper closed the connection before answering hello`,
      failures: 1,
      retryInMs: 1000,
    });
    assert.equal(h.connections, 1);
    // Within the backoff a call fails at once with the last error, without connecting.
    await assert.rejects(link.client(), (e: unknown) => isHelperError(e));
    assert.equal(h.connections, 1);
    // Each elapsed delay makes one background attempt; the delay doubles up to maxMs.
    const delays: number[] = [];
    for (const delay of [1000, 2000, 4000, 8000, 8000]) {
      const before: number = h.connections;
      t.mock.timers.tick(delay - 1);
      await turns(200);
      assert.equal(h.connections, before, `no attempt before ${delay} ms`);
      t.mock.timers.tick(1);
      await until(() => failures() === before + 1);
      assert.equal(h.connections, before + 1);
      const s = link.status();
      delays.push(s.state === "failed" ? (s.retryInMs ?? -1) : -1);
    }
    assert.deepEqual(delays, [2000, 4000, 8000, 8000, 8000]);
    // The helper comes back: the next background attempt connects; calls are served again.
    h.refuse = false;
    t.mock.timers.tick(8000);
    await until(() => link.status().state === "ok");
    assert.deepEqual(link.status(), { state: "ok", protocol: PROTOCOL, version: PROTOCOL_VERSION });
    assert.deepEqual(await link.call((c) => c.sensors(), true), { readings: [] });
    assert.equal(h.connections, 7);
  } finally {
    link.close();
    await h.close();
  }
});

test("helper link – without retry (the CLI) every call tries to connect; close() stops a pending retry", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const h = await fakeHelper();
  h.refuse = true;
  const cli = new HelperLink(h.socket);
  const daemon = new HelperLink(h.socket, { retry: { minMs: 1000, maxMs: 8000 } });
  try {
    await assert.rejects(cli.client(), (e: unknown) => isHelperError(e));
    await assert.rejects(cli.client(), (e: unknown) => isHelperError(e));
    assert.equal(h.connections, 2);
    assert.equal("retryInMs" in cli.status(), false);
    await assert.rejects(daemon.client(), (e: unknown) => isHelperError(e));
    assert.equal(h.connections, 3);
    daemon.close();
    t.mock.timers.tick(60_000);
    await turns(200);
    assert.equal(h.connections, 3, "no attempt after close()");
  } finally {
    cli.close();
    daemon.close();
    await h.close();
  }
});
