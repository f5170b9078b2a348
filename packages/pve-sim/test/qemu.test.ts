// VMs: power tasks (qmstart/qmstop/qmshutdown), config PUT (synchronous, null) and POST (a qmconfig task),
// digest checks and 'VM is locked'.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(
  async () => (sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 30 })),
);
after(() => sim.close());

test("qemu – start, shutdown, stop; starting a running VM fails inside the task", async () => {
  const start = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/status/start"));
  assert.match(start, /:qmstart:201:/);
  assert.equal((await waitTask(sim, start)).exitstatus, "OK");
  const st = (await call(sim, "GET", "/nodes/pve/qemu/201/status/current")).data as Record<
    string,
    unknown
  >;
  assert.equal(st.status, "running");
  assert.equal(st.qmpstatus, "running");
  const again = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/status/start"));
  assert.equal((await waitTask(sim, again)).exitstatus, "VM 201 already running");
  const shut = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/status/shutdown"));
  assert.match(shut, /:qmshutdown:201:/);
  assert.equal((await waitTask(sim, shut)).exitstatus, "OK");
  const stop = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/status/stop"));
  assert.equal((await waitTask(sim, stop)).exitstatus, "OK", "stopping a stopped VM is fine");
});

test("qemu – PUT config is synchronous; POST runs a qmconfig task", async () => {
  const put = await call(sim, "PUT", "/nodes/pve/qemu/201/config", {
    memory: "6144",
    cores: 2,
    net1: "virtio,bridge=vmbr0",
  });
  assert.equal(put.status, 200);
  assert.equal(put.data, null);
  const cfg = (await call(sim, "GET", "/nodes/pve/qemu/201/config")).data as Record<
    string,
    unknown
  >;
  assert.equal(cfg.memory, "6144");
  assert.match(String(cfg.net1), /^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0$/);
  const post = upidOf(
    await call(sim, "POST", "/nodes/pve/qemu/201/config", { description: "async" }),
  );
  assert.match(post, /:qmconfig:201:/);
  await waitTask(sim, post);
  assert.equal(sim.state.guest(201)?.config.description, "async");
  const bg = await call(sim, "POST", "/nodes/pve/qemu/201/config", {
    description: "waited",
    background_delay: 5,
  });
  assert.equal(bg.status, 200);
  assert.equal(bg.data, null, "with background_delay a finished task answers null");
});

test("qemu – digest mismatch and locks", async () => {
  const stale = await call(sim, "PUT", "/nodes/pve/qemu/201/config", {
    cores: 1,
    digest: "f".repeat(40),
  });
  assert.equal(stale.statusText, "checksum mismatch (file change by other user?)");
  const g = sim.state.guest(201);
  assert.ok(g);
  g.config.lock = "backup";
  const locked = await call(sim, "PUT", "/nodes/pve/qemu/201/config", { cores: 1 });
  assert.equal(locked.status, 500);
  assert.equal(locked.statusText, "VM is locked (backup)");
  const stop = upidOf(await call(sim, "POST", "/nodes/pve/qemu/200/status/stop"));
  assert.equal((await waitTask(sim, stop)).exitstatus, "OK");
  const g200 = sim.state.guest(200);
  assert.ok(g200);
  g200.config.lock = "snapshot";
  const start = upidOf(await call(sim, "POST", "/nodes/pve/qemu/200/status/start"));
  assert.equal((await waitTask(sim, start)).exitstatus, "VM is locked (snapshot)");
  delete g.config.lock;
  delete g200.config.lock;
});

test("qemu – config permissions per option family", async () => {
  const t = sim.addToken({
    id: "vmops@pve!mem",
    acl: [{ path: "/vms/201", privs: ["VM.Config.Memory", "VM.Audit"] }],
  });
  assert.equal(
    (await call(sim, "PUT", "/nodes/pve/qemu/201/config", { memory: "4096" }, { token: t.value }))
      .status,
    200,
  );
  const cpu = await call(
    sim,
    "PUT",
    "/nodes/pve/qemu/201/config",
    { cores: 4 },
    { token: t.value },
  );
  assert.equal(cpu.status, 403);
  assert.equal(cpu.statusText, "Permission check failed (/vms/201, VM.Config.CPU)");
});
