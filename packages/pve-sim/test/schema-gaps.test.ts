// Where PVE's implementation and its declared `returns` schema differ: the simulator answers like the
// implementation. Each known gap is pinned here so a schema update that fixes one shows up as a failure.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { findOperation } from "../src/schema-data.js";
import { KNOWN_RETURN_GAPS } from "../src/schema/known-gaps.js";
import { checkReturns, undeclaredProperties } from "../src/schema/validate-returns.js";
import { call, enc, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, taskDurationMs: 20 })));
after(() => sim.close());

const returns = (method: string, path: string) => {
  const op = findOperation(method, path);
  assert.ok(op);
  return op.returns;
};

test("schema gap – task status: `tokenid` is returned but not declared", async () => {
  const upid = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
  await waitTask(sim, upid);
  const r = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/status`);
  assert.deepEqual(
    undeclaredProperties(returns("GET", "/nodes/{node}/tasks/{upid}/status"), r.data),
    ["tokenid"],
  );
  assert.deepEqual(checkReturns(returns("GET", "/nodes/{node}/tasks/{upid}/status"), r.data), []);
});

test("schema gap – disks/list: `mounted` and `osdid-list` are declared required, PVE omits/nulls them", async () => {
  const r = await call(sim, "GET", "/nodes/pve/disks/list");
  const problems = checkReturns(returns("GET", "/nodes/{node}/disks/list"), r.data).map((p) =>
    p.path.replace(/\[\d+\]/g, "[]"),
  );
  assert.deepEqual(
    [...new Set(problems)].sort(),
    [...(KNOWN_RETURN_GAPS["GET /nodes/{node}/disks/list"] ?? [])].sort(),
  );
  assert.deepEqual(undeclaredProperties(returns("GET", "/nodes/{node}/disks/list"), r.data), [
    "[].by_id_link",
    "[].rpm",
    "[].type",
    "[].wearout",
  ]);
});

test("schema gap – snapshot list: the 'current' entry carries `digest` and `running`", async () => {
  const r = await call(sim, "GET", "/nodes/pve/lxc/101/snapshot");
  assert.deepEqual(
    undeclaredProperties(returns("GET", "/nodes/{node}/lxc/{vmid}/snapshot"), r.data),
    ["[].digest", "[].running"],
  );
});

test("schema gap – storage content: `content` and `subtype` are returned but not declared", async () => {
  const r = await call(sim, "GET", "/nodes/pve/storage/local/content");
  assert.deepEqual(
    undeclaredProperties(returns("GET", "/nodes/{node}/storage/{storage}/content"), r.data),
    ["[].content", "[].subtype"],
  );
});

test("schema gap – SMART: `wearout` for NVMe is not declared", async () => {
  const r = await call(sim, "GET", "/nodes/pve/disks/smart", { disk: "/dev/nvme0n1" });
  assert.deepEqual(undeclaredProperties(returns("GET", "/nodes/{node}/disks/smart"), r.data), [
    "wearout",
  ]);
  const ata = await call(sim, "GET", "/nodes/pve/disks/smart", { disk: "/dev/sda", healthonly: 1 });
  assert.deepEqual(ata.data, { health: "PASSED" });
});
