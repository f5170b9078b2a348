// Bad input never crashes or hangs the simulator: malformed and oversized bodies, wrong content types, chunked
// bodies, bodies on GET, unknown methods, bad UPIDs and garbage bytes; each gets pveproxy's answer.
import assert from "node:assert/strict";
import { connect } from "node:tls";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call, enc } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true })));
after(() => sim.close());

/** Writes raw bytes over TLS and returns what came back before the server closed (or 2 s passed). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(
      { host: "127.0.0.1", port: sim.port, ca: sim.ca, servername: "localhost" },
      () => sock.end(bytes),
    );
    let out = "";
    sock.on("data", (d: Buffer) => (out += d.toString("latin1")));
    sock.on("close", () => resolve(out));
    sock.on("error", (e: Error) => (out ? resolve(out) : reject(e)));
    sock.setTimeout(2000, () => sock.destroy());
  });
}

const auth = () => `Authorization: PVEAPIToken=${sim.token.value}\r\n`;

test("bad input – malformed JSON body: bodyless 500 with the parser's complaint", async () => {
  const r = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: "{not json",
    headers: { "Content-Type": "application/json" },
  });
  assert.equal(r.status, 500);
  assert.match(
    r.statusText,
    /^malformed JSON string, neither tag, array, object, number, string or atom, at character offset 1/,
  );
  assert.equal(r.raw, "");
});

test("bad input – a JSON array or scalar instead of an object", async () => {
  const arr = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: "[1,2]",
    headers: { "Content-Type": "application/json" },
  });
  assert.equal(arr.status, 500);
  assert.match(arr.statusText, /^Not a HASH reference/);
  const num = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: "42",
    headers: { "Content-Type": "application/json" },
  });
  assert.match(num.statusText, /^JSON text must be an object or array/);
});

test("bad input – a body over 512 KiB is refused before it is read", async () => {
  const r = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: `description=${"x".repeat(600 * 1024)}`,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  }).catch((e: Error) => ({ status: -1, statusText: e.message }));
  assert.ok(r.status === 501 || r.status === -1, `got ${r.status}`);
  if (r.status === 501) assert.equal(r.statusText, "for data too large");
  assert.equal((await call(sim, "GET", "/version")).status, 200, "still serving");
});

test("bad input – other content types get 506, a body on GET 501", async () => {
  const xml = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: "<a/>",
    headers: { "Content-Type": "text/xml" },
  });
  assert.equal(xml.status, 506);
  assert.equal(xml.statusText, "upload 'Content-Type 'text/xml' not implemented");
  const get = await call(sim, "GET", "/version", undefined, { body: "x=1" });
  assert.equal(get.status, 501);
  assert.equal(get.statusText, "Unexpected content for method 'GET'");
});

test("bad input – chunked bodies and unknown methods", async () => {
  const chunked = await raw(
    `POST /api2/json/nodes/pve/lxc/101/snapshot HTTP/1.1\r\nHost: x\r\n${auth()}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  );
  assert.match(chunked, /^HTTP\/1\.1 501 chunked transfer encoding not supported/);
  const patch = await raw(`PATCH /api2/json/version HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`);
  assert.match(patch, /^HTTP\/1\.1 501 method 'PATCH' not available/);
});

test("bad input – garbage instead of HTTP gets 400 and a closed connection", async () => {
  const out = await raw("\x16\x03garbage\r\n\r\n");
  assert.match(out, /^HTTP\/1\.1 400/);
  assert.equal((await call(sim, "GET", "/version")).status, 200);
});

test("bad input – bad and unknown UPIDs", async () => {
  const bad = await call(sim, "GET", `/nodes/pve/tasks/${enc("UPID:nope")}/status`);
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json?.errors, { upid: "unable to parse worker upid" });
  const unknown = "UPID:pve:00001234:00005678:65000000:vzstart:100:root@pam:";
  const st = await call(sim, "GET", `/nodes/pve/tasks/${enc(unknown)}/status`);
  assert.deepEqual(st.json?.errors, { upid: "no such task" });
  const log = await call(sim, "GET", `/nodes/pve/tasks/${enc(unknown)}/log`);
  assert.equal(log.status, 200);
  assert.deepEqual(log.data, [{ n: 1, t: "unable to open file - No such file or directory" }]);
  const del = await call(sim, "DELETE", `/nodes/pve/tasks/${enc(unknown)}`);
  assert.deepEqual(del.json?.errors, { upid: "no such task" });
});

test("bad input – another node name is not proxied anywhere", async () => {
  const r = await call(sim, "GET", "/nodes/elsewhere/status");
  assert.equal(r.status, 500);
  assert.match(r.statusText, /^hostname lookup 'elsewhere' failed/);
});

test("bad input – odd but legal paths and encodings", async () => {
  assert.equal(
    (await call(sim, "GET", "//nodes//pve/status")).status,
    200,
    "empty segments are ignored",
  );
  assert.equal((await call(sim, "GET", "/nodes/p%76e/status")).status, 200, "percent-encoded path");
  const r = await call(sim, "PUT", "/nodes/pve/lxc/101/config", undefined, {
    body: "description=a%2Bb+c&description=second",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  assert.equal(r.status, 400, "a repeated key becomes an array");
  assert.deepEqual(r.json?.errors, { description: "type check ('string') failed - got ARRAY" });
});
