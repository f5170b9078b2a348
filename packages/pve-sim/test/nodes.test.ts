// GET /nodes, the node index most PVE clients read first: one online node with its certificate's fingerprint,
// usage figures only for tokens with Sys.Audit on the node (as PVE's extract_node_stats); validateResponses is on, so a
// 200 means the answer matched the schema.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, validateResponses: true })));
after(() => sim.close());

test("nodes – the index lists the node, online, with usage and the listener's certificate fingerprint", async () => {
  const r = await call(sim, "GET", "/nodes");
  assert.equal(r.status, 200, r.statusText);
  const list = r.data as Array<Record<string, unknown>>;
  assert.equal(list.length, 1);
  const [n] = list;
  assert.equal(n?.node, "pve");
  assert.equal(n?.status, "online");
  assert.equal(n?.ssl_fingerprint, sim.fingerprint256);
  for (const k of ["cpu", "maxcpu", "mem", "maxmem", "uptime"])
    assert.equal(typeof n?.[k], "number", k);
});

test("nodes – without Sys.Audit on the node the entry has no usage figures", async () => {
  const t = sim.addToken({ id: "ops@pve!vmonly", acl: [{ path: "/vms", privs: ["VM.Audit"] }] });
  const r = await call(sim, "GET", "/nodes", undefined, { token: t.value });
  assert.equal(r.status, 200, r.statusText);
  const [n] = r.data as Array<Record<string, unknown>>;
  assert.equal(n?.node, "pve");
  assert.equal(n?.status, "online");
  assert.equal(n?.cpu, undefined);
  assert.equal(n?.mem, undefined);
});

test("nodes – parameters the schema does not declare are refused (400), like every other endpoint", async () => {
  const r = await call(sim, "GET", "/nodes", { bogus: 1 });
  assert.equal(r.status, 400);
});
