// Snapshot create / rollback / delete for containers and VMs, with the 'snapshot', 'rollback' and
// 'snapshot-delete' locks and PVE's errors inside the tasks.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, startSim, type Sim } from "../src/index.js";
import { call, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(
  async () => (sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 40 })),
);
after(() => sim.close());

const snapNames = async (type: string, vmid: number): Promise<string[]> =>
  (
    (await call(sim, "GET", `/nodes/pve/${type}/${vmid}/snapshot`)).data as Array<{ name: string }>
  ).map((s) => s.name);

test("snapshots – create, then rollback restores the config, then delete", async () => {
  const create = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/100/snapshot", {
      snapname: "pre_change",
      description: "before memory bump",
    }),
  );
  assert.match(create, /:vzsnapshot:100:/);
  assert.equal((await waitTask(sim, create)).exitstatus, "OK");
  assert.deepEqual(await snapNames("lxc", 100), ["pre_change", "current"]);
  const cfg = (await call(sim, "GET", "/nodes/pve/lxc/100/config")).data as Record<string, unknown>;
  assert.equal(cfg.parent, "pre_change");
  await call(sim, "PUT", "/nodes/pve/lxc/100/config", { memory: 8192 });
  const snapCfg = (await call(sim, "GET", "/nodes/pve/lxc/100/config", { snapshot: "pre_change" }))
    .data as Record<string, unknown>;
  assert.equal(snapCfg.memory, 2048);
  assert.equal(snapCfg.description, "before memory bump");
  const rb = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/100/snapshot/pre_change/rollback", { start: 1 }),
  );
  assert.match(rb, /:vzrollback:100:/);
  assert.equal((await waitTask(sim, rb)).exitstatus, "OK");
  const after = (await call(sim, "GET", "/nodes/pve/lxc/100/config")).data as Record<
    string,
    unknown
  >;
  assert.equal(after.memory, 2048);
  assert.equal(sim.state.guest(100)?.status, "running", "start=1 starts it after the rollback");
  const del = upidOf(await call(sim, "DELETE", "/nodes/pve/lxc/100/snapshot/pre_change"));
  assert.match(del, /:vzdelsnapshot:100:/);
  assert.equal((await waitTask(sim, del)).exitstatus, "OK");
  assert.deepEqual(await snapNames("lxc", 100), ["current"]);
  assert.equal(
    ((await call(sim, "GET", "/nodes/pve/lxc/100/config")).data as Record<string, unknown>).parent,
    undefined,
  );
});

test("snapshots – the lock is visible while a snapshot is taken", async () => {
  // Its own simulator on a manual clock: the snapshot task is mid-way for as long as the test keeps time still.
  const clock = createManualClock();
  const own = await startSim({ quiet: true, validateResponses: true, clock, taskDurationMs: 300 });
  try {
    const upid = upidOf(
      await call(own, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "locked_one" }),
    );
    let lock: unknown;
    for (let i = 0; i < 60 && lock === undefined; i++) {
      lock = (
        (await call(own, "GET", "/nodes/pve/lxc/101/status/current")).data as Record<
          string,
          unknown
        >
      ).lock;
      if (lock === undefined) await clock.advance(5);
    }
    assert.equal(lock, "snapshot");
    const snaps = (await call(own, "GET", "/nodes/pve/lxc/101/snapshot")).data as Array<{
      name: string;
      snapstate?: string;
    }>;
    assert.equal(snaps.find((s) => s.name === "locked_one")?.snapstate, "prepare");
    await clock.runAll();
    assert.equal((await waitTask(own, upid)).exitstatus, "OK");
  } finally {
    await own.close();
  }
});

test("snapshots – errors: reserved names (sync), duplicate names, missing snapshots, locked guests (in the task)", async () => {
  const reserved = await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "current" });
  assert.equal(reserved.statusText, "unable to use snapshot name 'current' (reserved name)");
  const dup = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "before-upgrade" }),
  );
  assert.equal(
    (await waitTask(sim, dup)).exitstatus,
    "snapshot name 'before-upgrade' already used",
  );
  const missing = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/snapshot/nope/rollback"));
  assert.equal((await waitTask(sim, missing)).exitstatus, "snapshot 'nope' does not exist");
  const g = sim.state.guest(101);
  assert.ok(g);
  g.config.lock = "backup";
  const locked = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "x1" }));
  assert.equal((await waitTask(sim, locked)).exitstatus, "CT is locked (backup)");
  delete g.config.lock;
  const tmpl = upidOf(await call(sim, "POST", "/nodes/pve/lxc/900/snapshot", { snapname: "t1" }));
  assert.equal(
    (await waitTask(sim, tmpl)).exitstatus,
    "you can't take a snapshot if it's a template",
  );
});

test("snapshots – VMs use qm task types and 'VM is locked'", async () => {
  const create = upidOf(
    await call(sim, "POST", "/nodes/pve/qemu/201/snapshot", { snapname: "clean" }),
  );
  assert.match(create, /:qmsnapshot:201:/);
  await waitTask(sim, create);
  assert.deepEqual(await snapNames("qemu", 201), ["clean", "current"]);
  const g = sim.state.guest(201);
  assert.ok(g);
  g.config.lock = "backup";
  const rb = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/snapshot/clean/rollback"));
  assert.match(rb, /:qmrollback:201:/);
  assert.equal((await waitTask(sim, rb)).exitstatus, "VM is locked (backup)");
  delete g.config.lock;
  const del = upidOf(await call(sim, "DELETE", "/nodes/pve/qemu/201/snapshot/clean"));
  assert.match(del, /:qmdelsnapshot:201:/);
  assert.equal((await waitTask(sim, del)).exitstatus, "OK");
});
