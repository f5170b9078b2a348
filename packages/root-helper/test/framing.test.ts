// The framing guard in front of vscode-jsonrpc: valid frames pass byte for byte however they are split; malformed
// or oversized headers, huge Content-Length, slow partial frames and bodies that are not JSON close the
// connection at once, without the helper buffering what the peer sends; the helper keeps serving others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { DEFAULT_LIMITS } from "../src/index.js";
import { FrameGuard, rateCap } from "../src/framing.js";
import { whenClosed } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";

const frame = (body: string, extra = ""): Buffer =>
  Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`);
const CT = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n";
const hello = (id: number) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "helper.hello", params: {} });

/** Feeds chunks through a guard; resolves with what came out, or the error that stopped it. */
async function guard(
  chunks: Buffer[],
  limits = DEFAULT_LIMITS,
): Promise<{ out: Buffer; error?: Error }> {
  const g = new FrameGuard(limits);
  const parts: Buffer[] = [];
  g.on("data", (b: Buffer) => (parts.push(b), g.settle())); // each frame answered at once
  const done = new Promise<Error | undefined>((resolve) => {
    g.on("error", resolve);
    g.on("end", () => resolve(undefined));
  });
  const input = new PassThrough();
  input.pipe(g);
  for (const c of chunks) input.write(c);
  input.end();
  const error = await done;
  return { out: Buffer.concat(parts), ...(error ? { error } : {}) };
}

test("frame guard – valid frames pass unchanged however the bytes are split", async () => {
  const stream = Buffer.concat([
    frame(hello(1)),
    frame(hello(2), "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"),
    Buffer.from(
      `content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:2\r\n\r\n{}`,
    ),
    frame(JSON.stringify({ s: "ű€😀".repeat(100) })),
  ]);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 12 }),
      async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points]
          .map((p, i) => stream.subarray(p, points[i] ?? stream.length))
          .filter((c) => c.length);
        const r = await guard(chunks);
        assert.equal(r.error, undefined);
        assert.ok(r.out.equals(stream));
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});

test("frame guard – every malformed or oversized header is an error", async () => {
  const bad: Array<[string, string]> = [
    ["no Content-Length", "Content-Type: x\r\n\r\n{}"],
    ["Content-Length 0", "Content-Length: 0\r\n\r\n"],
    ["2 GB Content-Length", "Content-Length: 2000000000\r\n\r\n{}"],
    ["one byte over 64 KiB", "Content-Length: 65537\r\n\r\n{}"],
    ["signed", "Content-Length: +5\r\n\r\n{}"],
    ["hex", "Content-Length: 0x10\r\n\r\n{}"],
    ["not a number", "Content-Length: abc\r\n\r\n{}"],
    ["duplicate", "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"],
    ["two types", `${CT}Content-Length: 2\r\n${CT}\r\n{}`],
    ["another content type", "Content-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"],
    [
      "another charset",
      "Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n{}",
    ],
    ["unknown header", "Content-Length: 2\r\nX-Forwarded-For: 1\r\n\r\n{}"],
    ["bare LF", "Content-Length: 2\n\r\n\r\n{}"],
    ["space before colon", "Content-Length : 2\r\n\r\n{}"],
    ["NUL in value", "Content-Length: 2\u0000\r\n\r\n{}"],
    ["non-ASCII in value", "Content-Length: 2é\r\n\r\n{}"],
    ["header block over 1 KiB", `Content-Length: 2\r\n${"X".repeat(1100)}\r\n\r\n{}`],
    ["endless header", `Content-Length: 2${" ".repeat(2000)}`],
  ];
  for (const [what, text] of bad) {
    const r = await guard([Buffer.from(text, "latin1")]);
    assert.ok(r.error, `${what}: accepted`);
    assert.equal(r.out.length, 0, `${what}: bytes passed to the reader`);
  }
  const after = await guard([frame(hello(1)), Buffer.from("Content-Length: 99999999\r\n\r\n")]);
  assert.ok(
    after.error && after.out.equals(frame(hello(1))),
    "a bad frame after a good one stops there",
  );
});

test("frame guard – random bytes never get more than one capped frame through, and never crash", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
      const r = await guard([Buffer.from(bytes)]);
      assert.ok(r.out.length <= 1024 + 65_536);
    }),
    { numRuns: 300, seed: 11 },
  );
});

/** Opens a raw connection to the helper and resolves once connected. */
function rawSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once("error", reject);
  });
}

test("framing over the socket – 2 GB Content-Length: closed at the header, nothing buffered", async () => {
  const h = await startTestHelper();
  try {
    const before = process.memoryUsage().arrayBuffers;
    const s = await rawSocket(h.socket);
    s.on("error", () => undefined);
    const closed = whenClosed(s);
    s.write("Content-Length: 2000000000\r\n\r\n");
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let written = 0;
    while (!s.destroyed && written < 64 * chunk.length) {
      // Backpressure: wait until the kernel takes more, or the helper closes the connection.
      if (!s.write(chunk))
        await new Promise<void>((r) => {
          const done = (): void => {
            s.off("drain", done);
            s.off("close", done);
            r();
          };
          s.once("drain", done);
          s.once("close", done);
        });
      written += chunk.length;
    }
    await closed;
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
    assert.ok(
      h.audit.every((a) => a.method === "(connect)"),
      "no request was dispatched",
    );
  } finally {
    await h.close();
  }
});

test("framing over the socket – malformed headers and a body that is not JSON close the connection", async () => {
  const h = await startTestHelper();
  try {
    for (const text of [
      "Content-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "Content-Length: 5\r\n\r\n{{{{{",
      "Content-Length: 2\r\nContent-Type: application/json; charset=latin9\r\n\r\n{}",
    ]) {
      const s = await rawSocket(h.socket);
      s.on("error", () => undefined);
      const closed = whenClosed(s);
      s.write(text);
      await closed;
    }
    const client = await h.connect();
    assert.equal((await client.hello()).protocol, "felhom-root-helper");
    client.close();
    assert.deepEqual(await h.fake.calls(), []);
  } finally {
    await h.close();
  }
});

test("framing over the socket – a slow partial frame is dropped at the frame deadline, even if it trickles", async () => {
  const h = await startTestHelper({ limits: { frameTimeoutMs: 300, idleTimeoutMs: 10_000 } });
  try {
    const stalled = await rawSocket(h.socket);
    stalled.on("error", () => undefined);
    stalled.write("Content-Length: 50\r\n\r\n{");
    await whenClosed(stalled); // not before the deadline: the mock-timer test below shows that
    const trickle = await rawSocket(h.socket);
    trickle.on("error", () => undefined);
    const closed = whenClosed(trickle);
    const bytes = frame(hello(1));
    let i = 0;
    const timer = setInterval(
      () => !trickle.destroyed && trickle.write(bytes.subarray(i, ++i)),
      50,
    );
    await closed.finally(() => clearInterval(timer));
    assert.ok(i < bytes.length, "the whole frame got through");
    const client = await h.connect();
    assert.equal((await client.hello()).version, 1);
    client.close();
  } finally {
    await h.close();
  }
});

test("framing over the socket – connections closed mid-frame leave no timer behind", async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  const h = await startTestHelper({ limits: { frameTimeoutMs: 200 } });
  try {
    const before = timers();
    for (let n = 0; n < 5; n++) {
      const s = await rawSocket(h.socket);
      s.on("error", () => undefined);
      s.write(`Content-Length: 40\r\n\r\n{"jsonrpc":"2.0"`);
      await whenClosed(s);
    }
    // The helper's side closes after ours: give the event loop turns (no clock) until its timers are gone.
    for (let turn = 0; turn < 10_000 && timers() !== before; turn++)
      await new Promise((r) => setImmediate(r));
    assert.equal(timers(), before);
  } finally {
    await h.close();
  }
});

/** Lets the streams run until nothing is pending (no timers involved). */
const drain = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

test("frame guard – no new frame passes while maxUnanswered are unsettled; the input is held, not read", async () => {
  const g = new FrameGuard({ ...DEFAULT_LIMITS, maxUnanswered: 3 });
  const seen: Buffer[] = [];
  g.on("data", (b: Buffer) => seen.push(b));
  const input = new PassThrough();
  input.pipe(g);
  const frames = Array.from({ length: 2000 }, (_, i) => frame(hello(i)));
  for (const f of frames) input.write(f);
  await drain();
  assert.equal(seen.length, 3);
  const waiting = input.readableLength + input.writableLength;
  assert.ok(waiting > 64 * 1024, `the guard stopped consuming its input (${waiting} bytes wait)`);
  g.settle();
  await drain();
  assert.equal(seen.length, 4);
  for (let i = 0; i < 1996; i++) g.settle();
  await drain();
  assert.equal(seen.length, 2000);
  assert.deepEqual(Buffer.concat(seen), Buffer.concat(frames));
});

test("frame guard – the rate cap holds frames back until it admits them", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let calls = 0;
  const g = new FrameGuard(DEFAULT_LIMITS, () => (++calls <= 2 ? 0 : calls === 3 ? 250 : 0));
  const seen: Buffer[] = [];
  g.on("data", (b: Buffer) => (seen.push(b), g.settle()));
  for (let i = 0; i < 4; i++) g.write(frame(hello(i)));
  await drain();
  assert.equal(seen.length, 2);
  t.mock.timers.tick(249);
  await drain();
  assert.equal(seen.length, 2);
  t.mock.timers.tick(1);
  await drain();
  assert.equal(seen.length, 4);
});

test("rate cap – a burst of perSecond, then one frame per 1/perSecond s", () => {
  let now = 1_000_000;
  const admit = rateCap(10, () => now);
  assert.deepEqual(Array.from({ length: 10 }, admit), Array(10).fill(0));
  assert.equal(admit(), 100);
  now += 50;
  assert.equal(admit(), 50);
  now += 50;
  assert.deepEqual([admit(), admit()], [0, 100]);
  now += 10_000; // a long pause refills only up to the burst
  assert.equal(Array.from({ length: 11 }, admit).filter((w) => w === 0).length, 10);
});

test("frame guard – a destroyed guard keeps no frame timer (nor the partial frame it would hold)", async (t) => {
  const set = t.mock.method(globalThis, "setTimeout");
  const cleared = t.mock.method(globalThis, "clearTimeout");
  const g = new FrameGuard(DEFAULT_LIMITS);
  g.write(Buffer.from(`Content-Length: 60000\r\n\r\n${"x".repeat(30_000)}`)); // half a frame: its timer runs
  const frameTimer = set.mock.calls.find(
    (c) => c.arguments[1] === DEFAULT_LIMITS.frameTimeoutMs,
  )?.result;
  assert.ok(frameTimer !== undefined, "no frame timer was set");
  g.destroy();
  await new Promise((resolve) => g.once("close", resolve));
  assert.ok(
    cleared.mock.calls.some((c) => c.arguments[0] === frameTimer),
    "the frame timer outlived its connection",
  );
});

test("frame guard – a partial frame is dropped at the frame deadline and not a tick before (mock timers)", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const g = new FrameGuard({ ...DEFAULT_LIMITS, frameTimeoutMs: 300 });
  const failed = new Promise<Error>((resolve) => g.once("error", resolve));
  g.write(Buffer.from("Content-Length: 50\r\n\r\n{"));
  await drain();
  t.mock.timers.tick(299);
  await drain();
  assert.equal(g.destroyed, false, "dropped before the frame deadline");
  t.mock.timers.tick(1);
  assert.equal((await failed).message, "frame timeout");
});
