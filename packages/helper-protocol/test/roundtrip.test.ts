// Client and server of the contract in one process over in-memory streams: typed calls, denials and error mapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import {
  HelperClient,
  HelperError,
  HelperErrorCode,
  HelperFailure,
  PROTOCOL,
  PROTOCOL_VERSION,
  connectionFromStreams,
  methodNames,
  registerHelperMethods,
} from "../src/index.js";
import type { AuditRecord, Handlers } from "../src/index.js";

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    hello: () => ({ protocol: PROTOCOL, version: PROTOCOL_VERSION, methods: methodNames }),
    createContainer: (p) => ({ vmid: p.vmid, output: ["created"] }),
    usbMount: (p) => ({
      name: p.name,
      unit: `mnt-felhom-${p.name}.mount`,
      where: `/mnt/felhom/${p.name}`,
      device: "/dev/disk/by-id/usb-x",
    }),
    usbUnmount: (p) => ({ name: p.name, unit: `mnt-felhom-${p.name}.mount` }),
    smart: (p) => ({ device: p.device, health: "PASSED", exitStatus: 0, warnings: [] }),
    sensors: () => ({
      readings: [
        {
          chip: "coretemp-isa-0000",
          label: "Package id 0",
          kind: "temp",
          value: 55,
          unit: "°C",
          crit: 100,
        },
      ],
    }),
    ...overrides,
  };
}

/** A server connection and a raw byte view of everything it writes. */
function startServer(h: Handlers, audit: AuditRecord[] = []) {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const written: Buffer[] = [];
  toClient.on("data", (b: Buffer) => written.push(b));
  const server = connectionFromStreams(toServer, toClient);
  registerHelperMethods(server, h, { onAudit: (r) => audit.push(r) });
  server.listen();
  return { toServer, toClient, server, wire: () => Buffer.concat(written).toString("utf8"), audit };
}

test("round trip – hello handshake and every typed method", async () => {
  const s = startServer(handlers());
  const client = await HelperClient.fromStreams(s.toClient, s.toServer);
  assert.equal(client.info?.protocol, PROTOCOL);
  assert.deepEqual(client.info?.methods, methodNames);
  const created = await client.createContainer({
    vmid: 9000,
    ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
    storage: "local-lvm",
    hostname: "golden",
    memory: 512,
    cores: 1,
    rootfsGiB: 4,
    bridge: "vmbr0",
  });
  assert.deepEqual(created, { vmid: 9000, output: ["created"] });
  assert.equal(
    (await client.usbMount({ uuid: "1234-ABCD", name: "backup", fstype: "vfat" })).where,
    "/mnt/felhom/backup",
  );
  assert.equal((await client.usbUnmount({ name: "backup" })).name, "backup");
  assert.equal((await client.smart({ device: "/dev/sda" })).health, "PASSED");
  assert.equal((await client.sensors()).readings[0]?.unit, "°C");
  client.close();
  s.server.dispose();
});

test("round trip – an unknown method gets MethodNotFound and is audited as denied", async () => {
  const s = startServer(handlers());
  const raw = connectionFromStreams(s.toClient, s.toServer);
  raw.listen();
  await assert.rejects(
    raw.sendRequest("usb.format", { name: "x" }),
    (e: { code: number; message: string }) => {
      assert.equal(e.code, HelperErrorCode.METHOD_NOT_FOUND);
      return true;
    },
  );
  assert.deepEqual(
    s.audit.map((a) => [a.method, a.decision]),
    [["usb.format", "denied"]],
  );
  raw.dispose();
  s.server.dispose();
});

test("round trip – bad params get InvalidParams with no echo of the input, and run nothing", async () => {
  let ran = 0;
  const s = startServer(
    handlers({
      smart: () => (ran++, { device: "/dev/sda", health: "PASSED", exitStatus: 0, warnings: [] }),
    }),
  );
  const raw = connectionFromStreams(s.toClient, s.toServer);
  raw.listen();
  const marker = "/dev/sda;CANARY-7f3a";
  for (const params of [
    { device: marker },
    { device: "/dev/sda", extra: "CANARY-7f3a" },
    ["CANARY-7f3a"],
  ]) {
    await assert.rejects(
      raw.sendRequest("hw.smart", params),
      (e: { code: number; message: string }) => {
        assert.equal(e.code, HelperErrorCode.INVALID_PARAMS);
        return true;
      },
    );
  }
  assert.equal(ran, 0);
  assert.ok(!s.wire().includes("CANARY"), "the answer must not echo the input");
  assert.ok(s.audit.every((a) => a.decision === "denied" && a.params === undefined));
  raw.dispose();
  s.server.dispose();
});

test("round trip – handler failures become fixed codes; raw exception text never crosses", async () => {
  const s = startServer(
    handlers({
      smart: () => {
        throw new Error("smartctl: /dev/sda: secret path /root/x");
      },
      sensors: () => {
        throw new HelperFailure("TOOL_OUTPUT_INVALID");
      },
      usbUnmount: () => ({ name: "backup", unit: 42 }) as never,
    }),
  );
  const client = await HelperClient.fromStreams(s.toClient, s.toServer);
  await assert.rejects(
    client.smart({ device: "/dev/sda" }),
    (e: HelperError) => e.code === "HELPER_INTERNAL_ERROR",
  );
  await assert.rejects(
    client.sensors(),
    (e: HelperError) => e.code === "HELPER_TOOL_OUTPUT_INVALID",
  );
  await assert.rejects(
    client.usbUnmount({ name: "backup" }),
    (e: HelperError) => e.code === "HELPER_INTERNAL_ERROR",
  );
  assert.ok(!s.wire().includes("secret path"));
  assert.deepEqual(
    s.audit.filter((a) => a.method !== "helper.hello").map((a) => a.decision),
    ["failed", "failed", "failed"],
  );
  client.close();
  s.server.dispose();
});

test("client – refuses bad params locally, naming the field but not the value", async () => {
  const s = startServer(handlers());
  const client = await HelperClient.fromStreams(s.toClient, s.toServer);
  const before = s.audit.length;
  await assert.rejects(client.smart({ device: "/dev/sda1;SECRET" }), (e: HelperError) => {
    assert.equal(e.code, "HELPER_INVALID_PARAMS");
    assert.match(e.message, /device/);
    assert.doesNotMatch(e.message, /SECRET/);
    return true;
  });
  assert.equal(s.audit.length, before, "nothing was sent");
  client.close();
  s.server.dispose();
});

test("client – a per-call timeout cancels and rejects with HELPER_CALL_TIMEOUT", async () => {
  let aborted = false;
  let seen: () => void = () => undefined;
  const abortSeen = new Promise<void>((r) => (seen = r));
  const s = startServer(
    handlers({
      sensors: (_p, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            seen();
            resolve({ readings: [] });
          });
        }),
    }),
  );
  const client = await HelperClient.fromStreams(s.toClient, s.toServer);
  await assert.rejects(
    client.sensors({ timeoutMs: 50 }),
    (e: HelperError) => e.code === "HELPER_CALL_TIMEOUT",
  );
  // Waits for the cancellation to reach the handler (a 20 ms sleep lost that race under load); the 10 s
  // bound only turns a cancellation that never comes into a failure instead of a hang.
  await Promise.race([abortSeen, new Promise((r) => setTimeout(r, 10_000).unref())]);
  assert.ok(aborted, "the server-side handler saw the cancellation");
  client.close();
  s.server.dispose();
});

test("client – an AbortSignal rejects the call with HELPER_ABORTED", async () => {
  const s = startServer(handlers({ sensors: () => new Promise(() => undefined) }));
  const client = await HelperClient.fromStreams(s.toClient, s.toServer);
  const ac = new AbortController();
  const p = client.sensors({ signal: ac.signal });
  ac.abort();
  await assert.rejects(p, (e: HelperError) => e.code === "HELPER_ABORTED");
  client.close();
  s.server.dispose();
});

test("client – a helper speaking another protocol version is refused at the handshake", async () => {
  const s = startServer(
    handlers({ hello: () => ({ protocol: PROTOCOL, version: 99, methods: [] }) }),
  );
  await assert.rejects(
    HelperClient.fromStreams(s.toClient, s.toServer),
    (e: HelperError) => e.code === "HELPER_PROTOCOL_MISMATCH",
  );
  s.server.dispose();
});

test("client – a result that breaks the contract is refused", async () => {
  // A raw server that ignores the contract and answers a string where a number belongs.
  const t = new PassThrough();
  const u = new PassThrough();
  const liar = connectionFromStreams(t, u);
  liar.onRequest("helper.hello", () => ({
    protocol: PROTOCOL,
    version: PROTOCOL_VERSION,
    methods: [],
  }));
  liar.onRequest("hw.sensors", () => ({
    readings: [{ chip: "x", label: "y", kind: "temp", value: "hot", unit: "°C" }],
  }));
  liar.listen();
  const c2 = await HelperClient.fromStreams(u, t);
  await assert.rejects(c2.sensors(), (e: HelperError) => e.code === "HELPER_BAD_RESULT");
  c2.close();
  liar.dispose();
});

test("errors – wire codes map to stable agent codes", () => {
  assert.equal(HelperError.fromWire(-32001, "golden.createContainer").code, "HELPER_BUSY");
  assert.equal(HelperError.fromWire(-32602, "hw.smart").code, "HELPER_INVALID_PARAMS");
  assert.equal(HelperError.fromWire(-31999, "hw.smart").code, "HELPER_UNKNOWN_ERROR");
});

test("client – connect to a missing socket fails with HELPER_CONNECT_FAILED", async () => {
  await assert.rejects(
    HelperClient.connect("/nonexistent/felhom/helper.sock", { connectTimeoutMs: 500 }),
    (e: HelperError) => e.code === "HELPER_CONNECT_FAILED",
  );
});

test("round trip – params that are absent or positional get the contract's InvalidParams and an audit record", async () => {
  let ran = 0;
  const audit: AuditRecord[] = [];
  const s = startServer(
    handlers({
      smart: () => (ran++, { device: "/dev/sda", health: "PASSED", exitStatus: 0, warnings: [] }),
    }),
    audit,
  );
  const raw = connectionFromStreams(s.toClient, s.toServer);
  raw.listen();
  for (const params of [undefined, [{ device: "/dev/sda" }], ["/dev/sda"], 5, "x"]) {
    const send =
      params === undefined ? raw.sendRequest("hw.smart") : raw.sendRequest("hw.smart", params);
    await assert.rejects(send, (e: { code: number; message: string }) => {
      assert.equal(e.code, HelperErrorCode.INVALID_PARAMS, JSON.stringify(params));
      assert.equal(e.message, "Invalid params");
      return true;
    });
  }
  assert.equal(ran, 0);
  assert.deepEqual(
    audit.map((a) => [a.method, a.decision, a.params]),
    Array.from({ length: 5 }, () => ["hw.smart", "denied", undefined]),
  );
  raw.dispose();
  s.server.dispose();
});
