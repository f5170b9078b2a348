// The generated certificate: SANs, fingerprint format, and TLS verification with `ca` (and without it).
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true })));
after(() => sim.close());

function get(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

test("certificate – carries IP:127.0.0.1 and DNS:localhost and the fingerprint in Node's format", () => {
  const x = new X509Certificate(sim.ca);
  assert.match(x.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.match(x.subjectAltName ?? "", /DNS:localhost/);
  assert.equal(sim.fingerprint256, x.fingerprint256);
  assert.match(sim.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  assert.ok(x.checkIssued(x), "self-signed");
  assert.ok(new Date(x.validTo).getTime() > Date.now() + 300 * 86_400_000);
});

test("certificate – verifies with ca for 127.0.0.1 and localhost, refused without it", async () => {
  assert.equal(await get(`${sim.url}/api2/json/version`, sim.ca), 401);
  assert.equal(await get(`https://localhost:${sim.port}/api2/json/version`, sim.ca), 401);
  await assert.rejects(get(`${sim.url}/api2/json/version`), /self[- ]signed|unable to verify/i);
});

test("certificate – each start makes a new key, so no private key is shared", async () => {
  const other = await startSim({ quiet: true });
  try {
    assert.notEqual(other.fingerprint256, sim.fingerprint256);
  } finally {
    await other.close();
  }
});
