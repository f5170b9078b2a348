// Walks every operation of the embedded extract (the 39 of endpoints-slice1.json, and GET /nodes): each one is
// handled, answers with something other than 501, and its answer validates against the schema's `returns`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HANDLERS } from "../src/handlers/index.js";
import { startSim, type Sim } from "../src/index.js";
import { Router } from "../src/router.js";
import { loadSchema } from "../src/schema-data.js";
import { call, enc, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(
  async () => (sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 20 })),
);
after(() => sim.close());

/** A valid concrete request for each operation of the slice. */
function requestFor(
  method: string,
  path: string,
  upid: string,
): { path: string; params?: Record<string, unknown> } {
  const concrete = path
    .replace("{node}", "pve")
    .replace("{storage}", "local")
    .replace("{upid}", enc(upid))
    .replace("{snapname}", "before-upgrade");
  const byOp: Record<string, string> = {
    "POST /nodes/{node}/lxc/{vmid}/status/stop": "100",
    "POST /nodes/{node}/lxc/{vmid}/status/shutdown": "103",
    "POST /nodes/{node}/qemu/{vmid}/status/stop": "200",
    "POST /nodes/{node}/qemu/{vmid}/status/shutdown": "200",
  };
  const vmid = byOp[`${method} ${path}`] ?? (path.includes("/qemu/") ? "201" : "101");
  const p = concrete.replace("{vmid}", vmid);
  const table: Record<string, Record<string, unknown>> = {
    "GET /nodes/{node}/rrddata": { timeframe: "hour" },
    "GET /nodes/{node}/disks/smart": { disk: "/dev/sda" },
    "POST /nodes/{node}/vzdump": { vmid: 101, storage: "local" },
    "POST /nodes/{node}/lxc": {
      vmid: 170,
      ostemplate: sim.state.backups(100)[0]?.volid ?? "",
      restore: 1,
      storage: "local-lvm",
    },
    "PUT /nodes/{node}/lxc/{vmid}/config": { description: "walk" },
    "PUT /nodes/{node}/qemu/{vmid}/config": { description: "walk" },
    "POST /nodes/{node}/qemu/{vmid}/config": { description: "walk async" },
    "POST /nodes/{node}/lxc/{vmid}/snapshot": { snapname: "walk" },
    "POST /nodes/{node}/qemu/{vmid}/snapshot": { snapname: "walk" },
  };
  const params = table[`${method} ${path}`];
  return params ? { path: p, params } : { path: p };
}

test("slice 1 – all 39 operations and GET /nodes have a handler", () => {
  const coverage = new Router(HANDLERS).coverage();
  assert.equal(coverage.length, 40);
  assert.deepEqual(
    coverage.filter((c) => !c.handled),
    [],
  );
  assert.equal(loadSchema().operations.length, 40);
});

test("slice 1 – every operation answers, and every answer validates against `returns`", async () => {
  const upid = sim.state.tasks.archive[0]?.upid ?? "";
  sim.state.addGuest({
    vmid: 103,
    type: "lxc",
    status: "running",
    config: {
      hostname: "walker",
      memory: 256,
      rootfs: "local-lvm:vm-103-disk-0,size=2G",
      unprivileged: 1,
    },
  });
  await waitTask(
    sim,
    upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/snapshot", { snapname: "before-upgrade" })),
  );
  const ops = [...loadSchema().operations].sort(
    (a, b) => (a.method === "GET" ? 0 : 1) - (b.method === "GET" ? 0 : 1),
  );
  for (const op of ops) {
    if (op.method === "DELETE" && op.path.includes("/snapshot/")) {
      for (const t of ["lxc", "qemu"])
        await waitTask(
          sim,
          upidOf(
            await call(sim, "POST", `/nodes/pve/${t}/${t === "lxc" ? 101 : 201}/snapshot`, {
              snapname: "gone",
            }),
          ),
        );
    }
    const req = requestFor(op.method, op.path, upid);
    const path =
      op.method === "DELETE" && op.path.includes("/snapshot/")
        ? req.path.replace("before-upgrade", "gone")
        : req.path;
    const r = await call(sim, op.method, path, req.params);
    assert.ok(r.status === 200, `${op.method} ${op.path} → ${r.status} ${r.statusText}`);
    if (typeof r.data === "string" && r.data.startsWith("UPID:")) {
      const done = await waitTask(sim, r.data);
      assert.equal(done.exitstatus, "OK", `${op.method} ${op.path}: ${String(done.exitstatus)}`);
    }
  }
  assert.ok(sim.requests.filter((r) => r.applied).length >= 40);
});
