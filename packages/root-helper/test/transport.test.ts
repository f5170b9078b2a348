// The helper under abuse and at its edges: a peer that does not read its answers, duplicate ids, mount requests
// that leave the queue before they run (deadline passed, connection gone), a pct create that outlives its answer
// deadline or prints too much (never killed), and an audit trail that a hello flood cannot wash away.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { HelperErrorCode, type HelperError } from "@felhom/helper-protocol";
import { whenClosed, rawConnection } from "./helpers.js";
import { startTestHelper, type TestHelper } from "@felhom/test-support/root-helper";

/** Resolves once an audit line matches (the audit is written as things happen; no time budget). */
async function audited(h: TestHelper, match: (a: Record<string, unknown>) => boolean) {
  for (;;) {
    const found = h.audit.find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const frame = (o: object): string => {
  const body = JSON.stringify({ jsonrpc: "2.0", ...o });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};
const HELLO = (id: number) => frame({ id, method: "helper.hello", params: {} });
const CREATE = {
  vmid: 9000,
  ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  storage: "local-lvm",
  hostname: "golden",
  memory: 1024,
  cores: 2,
  rootfsGiB: 8,
  bridge: "vmbr0",
};
const MOUNT = {
  uuid: "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab",
  name: "backup",
  fstype: "ext4",
} as const;

test("backpressure – a peer that never reads its answers is closed; nothing it sent runs", async () => {
  const h = await startTestHelper({ limits: { maxQueuedBytes: 512 } });
  try {
    const flood = connect(h.socket);
    flood.on("error", () => undefined);
    flood.pause(); // never read
    let sent = 0;
    const write = (): void => {
      while (!flood.destroyed && flood.write(HELLO(sent++)));
      if (!flood.destroyed) flood.once("drain", write);
    };
    flood.once("connect", write);
    await whenClosed(flood);
    const hellos = h.audit.filter((a) => a.method === "helper.hello");
    assert.ok(sent > 1000, `${sent} hellos sent before the close`);
    assert.ok(hellos.length <= 2, "the flood's answers are coalesced in the audit");
    assert.deepEqual(await h.fake.calls(), []);
    const client = await h.connect(); // the helper still serves others
    assert.equal((await client.hello()).version, 1);
    client.close();
  } finally {
    await h.close();
  }
});

test("backpressure – a second request with an id still unanswered closes the connection", async () => {
  const h = await startTestHelper({ rules: { sensors: [{ stdout: "{}", delayMs: 300 }] } });
  try {
    const s = connect(h.socket);
    s.on("error", () => undefined);
    const sensors = frame({ id: 1, method: "hw.sensors", params: {} });
    s.write(sensors + sensors);
    await whenClosed(s);
  } finally {
    await h.close();
  }
});

test("cancellation – a usb.mount past its deadline, or whose connection closed, leaves the queue unrun", async () => {
  const h = await startTestHelper({
    rules: { lsblk: [{ stdout: '{"blockdevices":[]}', delayMs: 600 }] },
    limits: { requestTimeoutMs: 300 },
  });
  try {
    const a = await h.connect();
    const b = rawConnection(h.socket);
    const first = a.usbMount(MOUNT); // runs lsblk for 600 ms
    const second = a.usbMount({ ...MOUNT, name: "second" }); // waits, and its deadline passes
    b.conn.sendRequest("usb.mount", { ...MOUNT, name: "third" }).catch(() => undefined);
    await b.conn.sendRequest("helper.hello", {}); // answered in order: the third waits in the queue
    b.close(); // the third's peer is gone while it waits
    await assert.rejects(first, (e: HelperError) => e.code === "HELPER_TIMEOUT");
    await assert.rejects(second, (e: HelperError) => e.code === "HELPER_TIMEOUT");
    a.close();
    const late = await audited(h, (a) => a.method === "(after timeout)"); // the first, when lsblk ended
    assert.equal((late.exec as Array<{ exitCode: number }>)[0]?.exitCode, 0);
    const cancelled = await audited(h, (a) => (a.params as { name?: string })?.name === "third");
    assert.equal(cancelled.code, HelperErrorCode.CANCELLED);
    assert.equal((await h.fake.calls()).length, 1, "only the first mount ran lsblk");
  } finally {
    await h.close();
  }
});

test("pct create – past its answer deadline it runs to its end and is audited; output past the cap is dropped", async () => {
  const h = await startTestHelper({
    rules: { pct: [{ stdout: `${"x".repeat(5000)}\ncreated\n`, delayMs: 700 }] },
    limits: { createTimeoutMs: 200, maxOutputBytes: 1024 },
  });
  const client = await h.connect();
  try {
    await assert.rejects(
      client.createContainer(CREATE),
      (e: HelperError) => e.code === "HELPER_TIMEOUT",
    );
    await assert.rejects(
      client.createContainer(CREATE),
      (e: HelperError) => e.code === "HELPER_BUSY",
    );
  } finally {
    client.close();
    await h.close(); // waits for pct
  }
  const late = h.audit.find((a) => a.method === "(after timeout)");
  const [exec] = late?.exec as Array<{ exitCode: number | null; discarded?: number }>;
  assert.equal(late?.decision, "ok");
  assert.equal(exec?.exitCode, 0, "pct was not killed");
  assert.equal(exec?.discarded, 5000 + "\ncreated\n".length - 1024);
});

test("pct create – output past the cap is discarded, not fatal", async () => {
  const h = await startTestHelper({
    rules: { pct: [{ stdout: `${"x".repeat(5000)}\ncreated\n` }] },
    limits: { maxOutputBytes: 1024 },
  });
  try {
    const client = await h.connect();
    const r = await client.createContainer(CREATE);
    client.close();
    assert.equal(r.vmid, 9000);
    assert.equal(r.output.join("").length, 1024);
  } finally {
    await h.close();
  }
});

test("audit – a hello flood is coalesced, and the real call after it is audited in full at once", async () => {
  const h = await startTestHelper({
    rules: { pct: [{ stdout: "created\n" }] },
    limits: { maxRequestsPerSecond: 10_000 },
  });
  try {
    const client = await h.connect();
    await Promise.all(Array.from({ length: 300 }, () => client.hello()));
    await client.createContainer(CREATE);
    const lines = h.audit.filter((a) => a.method !== "(connect)");
    assert.equal(lines.filter((a) => a.method === "helper.hello").length, 1); // the handshake's
    const create = lines.find((a) => a.method === "golden.createContainer");
    assert.equal(create?.decision, "ok");
    assert.deepEqual((create?.params as { vmid: number }).vmid, 9000);
    client.close();
  } finally {
    await h.close();
  }
  const summary = h.audit.find((a) => a.method === "helper.hello" && a.repeated !== undefined);
  assert.equal(summary?.repeated, 300); // the handshake's written as is, the 300 after it counted
  assert.ok(typeof summary?.first === "string" && typeof summary.last === "string");
});
