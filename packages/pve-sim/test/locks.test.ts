// Config flocks (lock_config) on a manual clock: a task that needs a lock held by a long task waits ("trying to
// acquire lock...") and times out after 10 s with "can't lock file '…' - got timeout"; a PUT answers HTTP 500.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, startSim, type ManualClock, type Sim } from "../src/index.js";
import { call, until, upidOf } from "./helpers.js";

let sim: Sim;
let clock: ManualClock;
before(async () => {
  clock = createManualClock();
  sim = await startSim({
    quiet: true,
    clock,
    earlyNoSuchTaskMs: 0,
    taskDurations: { vzrestore: 60_000 },
    taskDurationMs: 1000,
  });
});
after(() => sim.close());

const archive = (): string => sim.state.backups(100)[0]?.volid ?? "";

test("locks – a start during a long restore waits, then times out like PVE", async () => {
  const restore = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 160,
      ostemplate: archive(),
      restore: 1,
      storage: "local-lvm",
    }),
  );
  await clock.advance(10);
  const start = upidOf(await call(sim, "POST", "/nodes/pve/lxc/160/status/start"));
  await clock.advance(10);
  assert.deepEqual(sim.state.tasks.get(start)?.lines, ["trying to acquire lock..."]);
  await clock.advance(10_000);
  const t = sim.state.tasks.get(start);
  assert.equal(t?.status, "stopped");
  assert.equal(t?.exitstatus, "can't lock file '/run/lock/lxc/pve-config-160.lock' - got timeout");
  assert.equal(sim.state.tasks.get(restore)?.status, "running");
  await clock.advance(60_000);
  assert.equal(sim.state.tasks.get(restore)?.exitstatus, "OK");
});

test("locks – a waiter gets the lock when the holder finishes in time", async () => {
  sim.state.tasks.durations.set("vzrestore", 5000);
  const restore = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 161,
      ostemplate: archive(),
      restore: 1,
      storage: "local-lvm",
    }),
  );
  await clock.advance(10);
  const start = upidOf(await call(sim, "POST", "/nodes/pve/lxc/161/status/start"));
  await clock.advance(7000);
  assert.equal(sim.state.tasks.get(restore)?.exitstatus, "OK");
  const t = sim.state.tasks.get(start);
  assert.deepEqual(t?.lines, ["trying to acquire lock...", " OK", "TASK OK"]);
  assert.equal(sim.state.guest(161)?.status, "running");
});

test("locks – a synchronous config PUT waits for the lock and answers 500 on timeout", async () => {
  sim.state.tasks.durations.set("vzrestore", 60_000);
  upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 162,
      ostemplate: archive(),
      restore: 1,
      storage: "local-lvm",
    }),
  );
  await clock.advance(10);
  const timers = clock.pendingTimers();
  const pending = call(sim, "PUT", "/nodes/pve/lxc/162/config", { memory: 1024 });
  await until(() => clock.pendingTimers() > timers); // the PUT has arrived and waits for the lock
  await clock.advance(10_000);
  const r = await pending;
  assert.equal(r.status, 500);
  assert.equal(r.statusText, "can't lock file '/run/lock/lxc/pve-config-162.lock' - got timeout");
  await clock.advance(60_000);
});

test("locks – VMs use /var/lock/qemu-server/lock-VMID.conf", async () => {
  sim.state.tasks.durations.set("qmconfig", 30_000);
  const holder = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/config", { memory: 2048 }));
  await clock.advance(10);
  const start = upidOf(await call(sim, "POST", "/nodes/pve/qemu/201/status/start"));
  await clock.advance(10_100);
  assert.equal(
    sim.state.tasks.get(start)?.exitstatus,
    "can't lock file '/var/lock/qemu-server/lock-201.conf' - got timeout",
  );
  await clock.advance(30_000);
  assert.equal(sim.state.tasks.get(holder)?.exitstatus, "OK");
});
