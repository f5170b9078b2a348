// Containers: start/stop/shutdown (sync errors vs. task errors), GET/PUT config with digest, and a guest locked
// by a running backup: PUT answers 500 "CT is locked (backup)", start fails inside its task.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, startSim, type Sim } from "../src/index.js";
import { call, taskLog, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(
  async () => (sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 40 })),
);
after(() => sim.close());

test("lxc – start, shutdown and stop change the status through tasks", async () => {
  const start = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
  assert.equal((await waitTask(sim, start)).exitstatus, "OK");
  const cur = await call(sim, "GET", "/nodes/pve/lxc/101/status/current");
  assert.equal((cur.data as { status: string }).status, "running");
  const shut = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/101/status/shutdown", { timeout: 30 }),
  );
  assert.equal((await waitTask(sim, shut)).exitstatus, "OK");
  assert.equal(sim.state.guest(101)?.status, "stopped");
  const again = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
  await waitTask(sim, again);
  const stop = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/stop"));
  assert.equal((await waitTask(sim, stop)).exitstatus, "OK");
  assert.equal(sim.state.guest(101)?.status, "stopped");
});

test("lxc – 'already running' / 'not running' are synchronous 500s", async () => {
  const r = await call(sim, "POST", "/nodes/pve/lxc/100/status/start");
  assert.equal(r.status, 500);
  assert.equal(r.statusText, "CT 100 already running");
  const s = await call(sim, "POST", "/nodes/pve/lxc/101/status/shutdown");
  assert.equal(s.statusText, "CT 101 not running");
});

test("lxc – starting a template or a missing container fails inside the task", async () => {
  const tmpl = upidOf(await call(sim, "POST", "/nodes/pve/lxc/900/status/start"));
  assert.equal((await waitTask(sim, tmpl)).exitstatus, "you can't start a CT if it's a template");
  const missing = upidOf(await call(sim, "POST", "/nodes/pve/lxc/777/status/start"));
  assert.equal(
    (await waitTask(sim, missing)).exitstatus,
    "Configuration file 'nodes/pve/lxc/777.conf' does not exist",
  );
  assert.deepEqual(
    (await taskLog(sim, missing)).at(-1),
    "TASK ERROR: Configuration file 'nodes/pve/lxc/777.conf' does not exist",
  );
});

test("lxc – skiplock is root@pam only", async () => {
  const r = await call(sim, "POST", "/nodes/pve/lxc/101/status/start", { skiplock: 1 });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json?.errors, { skiplock: "Only root may use this option." });
});

test("lxc – config: GET has a digest; PUT applies, checks the digest, deletes, makes new volumes and MACs", async () => {
  const before = (await call(sim, "GET", "/nodes/pve/lxc/101/config")).data as Record<
    string,
    unknown
  >;
  assert.match(String(before.digest), /^[0-9a-f]{40}$/);
  const stale = await call(sim, "PUT", "/nodes/pve/lxc/101/config", {
    memory: 4096,
    digest: "0".repeat(40),
  });
  assert.equal(stale.status, 500);
  assert.equal(
    stale.statusText,
    "detected modified configuration - file changed by other user? Try again.",
  );
  const ok = await call(sim, "PUT", "/nodes/pve/lxc/101/config", {
    memory: 4096,
    cores: 2,
    digest: before.digest,
    net1: "name=eth1,bridge=vmbr0,ip=dhcp",
    mp1: "local-lvm:2,mp=/srv/bulk,backup=0",
  });
  assert.equal(ok.status, 200, ok.raw);
  assert.equal(ok.data, null, "LXC config PUT is synchronous and returns null");
  const cfg = (await call(sim, "GET", "/nodes/pve/lxc/101/config")).data as Record<
    string,
    string | number
  >;
  assert.equal(cfg.memory, 4096);
  assert.match(String(cfg.net1), /hwaddr=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}/);
  assert.match(String(cfg.mp1), /^local-lvm:vm-101-disk-\d+,mp=\/srv\/bulk,backup=0,size=2G$/);
  assert.notEqual(cfg.digest, before.digest);
  assert.ok(
    sim.state.findVolume(String(cfg.mp1).split(",")[0] ?? ""),
    "the new volume is in the storage",
  );
  const del = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { delete: "mp1,net1" });
  assert.equal(del.status, 200);
  const after = (await call(sim, "GET", "/nodes/pve/lxc/101/config")).data as Record<
    string,
    unknown
  >;
  assert.equal(after.mp1, undefined);
  assert.match(
    String(after.unused0),
    /^local-lvm:vm-101-disk-/,
    "a removed mount point becomes unused0",
  );
  const none = await call(sim, "PUT", "/nodes/pve/lxc/101/config", {});
  assert.equal(none.statusText, "no options specified");
});

test("lxc – a backup locks the guest: PUT gets 500 'CT is locked (backup)', start fails in its task", async () => {
  // Its own simulator on a manual clock: the backup holds its lock for as long as the test keeps time still.
  const clock = createManualClock();
  const own = await startSim({
    quiet: true,
    validateResponses: true,
    clock,
    taskDurationMs: 40,
    taskDurations: { vzdump: 600 },
  });
  try {
    const dump = upidOf(
      await call(own, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" }),
    );
    let locked = false;
    for (let i = 0; i < 100 && !locked; i++) {
      const cfg = (await call(own, "GET", "/nodes/pve/lxc/101/config")).data as Record<
        string,
        unknown
      >;
      locked = cfg.lock === "backup";
      if (!locked) await clock.advance(5);
    }
    assert.ok(locked, "lock: backup visible in the config");
    const st = (await call(own, "GET", "/nodes/pve/lxc/101/status/current")).data as Record<
      string,
      unknown
    >;
    assert.equal(st.lock, "backup");
    const put = await call(own, "PUT", "/nodes/pve/lxc/101/config", { memory: 1024 });
    assert.equal(put.status, 500);
    assert.equal(put.statusText, "CT is locked (backup)");
    const start = upidOf(await call(own, "POST", "/nodes/pve/lxc/101/status/start"));
    while (own.state.tasks.get(start)?.status === "running") await clock.advance(5);
    assert.equal(own.state.tasks.get(dump)?.status, "running", "the backup still runs");
    assert.equal((await waitTask(own, start)).exitstatus, "CT is locked (backup)");
    await clock.runAll();
    assert.equal((await waitTask(own, dump)).exitstatus, "OK");
    assert.equal(own.state.guest(101)?.config.lock, undefined, "unlocked afterwards");
  } finally {
    await own.close();
  }
});
