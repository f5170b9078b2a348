// Task-starting methods against the simulator: restore alongside, power, backup, snapshots, config changes,
// and every task outcome (ok, warnings, failed, lock, task-time permission failure, timeout, cancel).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Client, Upid, type PveError, type TaskLogLine } from "@felhom/pve-client";
import { createManualClock } from "@felhom/pve-sim";
import { captureLogger, until } from "./helpers.js";
import { assertMutationsSentOnce, simWithClient, type SimClient } from "./sim-helpers.js";

let t: SimClient;
const cap = captureLogger();
before(async () => {
  t = await simWithClient({ taskDurationMs: 60 }, { logger: cap.logger });
});
after(async () => {
  await t.close();
  assertMutationsSentOnce(t.sim, cap.lines);
});

async function failure(p: Promise<unknown>): Promise<PveError & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as PveError & Record<string, unknown>;
  }
  assert.fail("expected an error");
}

const wait = { timeoutMs: 20_000 };

test("sim tasks – restore alongside: new MAC and hostname, not started, waited with streamed log", async () => {
  const { client, sim } = t;
  const [archive] = await client.storageContent(sim.node, "local", {
    content: "backup",
    vmid: 100,
  });
  assert.ok(archive);
  const original = await client.guestConfig(sim.node, "lxc", 100);
  const lines: TaskLogLine[] = [];
  const upid = await client.restore(sim.node, {
    vmid: 300,
    archive: archive.volid,
    storage: "local-lvm",
    newIdentity: { hostname: "web-restored" },
  });
  assert.ok(upid instanceof Upid);
  assert.equal(upid.type, "vzrestore");
  assert.equal(upid.vmid, 300);
  assert.equal(upid.node, sim.node);
  assert.deepEqual(await client.waitTask(upid, { ...wait, onLog: (l) => lines.push(l) }), {
    status: "ok",
    upid,
  });
  assert.ok(lines.length > 0);
  assert.deepEqual(
    lines.map((l) => l.n),
    lines.map((_, i) => i + 1),
  );
  const copy = await client.guestConfig(sim.node, "lxc", 300);
  assert.equal(copy.hostname, "web-restored");
  assert.ok(copy.net[0]?.hwaddr && original.net[0]?.hwaddr);
  assert.notEqual(copy.net[0].hwaddr, original.net[0].hwaddr);
  assert.equal((await client.guestStatus(sim.node, "lxc", 300)).status, "stopped");
});

test("sim tasks – start, shutdown and stop of a container and a VM", async () => {
  const { client, sim } = t;
  assert.equal((await client.run(client.start(sim.node, "lxc", 300), wait)).status, "ok");
  assert.equal((await client.guestStatus(sim.node, "lxc", 300)).status, "running");
  assert.equal(
    (await client.run(() => client.shutdown(sim.node, "lxc", 300, { timeout: 30 }), wait)).status,
    "ok",
  );
  assert.equal((await client.guestStatus(sim.node, "lxc", 300)).status, "stopped");
  const vm = (await client.qemuList(sim.node)).find((g) => g.status === "stopped");
  assert.ok(vm);
  await client.run(client.start(sim.node, "qemu", vm.vmid), wait);
  await client.run(
    client.shutdown(sim.node, "qemu", vm.vmid, { timeout: 30, forceStop: true }),
    wait,
  );
  assert.equal((await client.guestStatus(sim.node, "qemu", vm.vmid)).status, "stopped");
  await client.run(client.start(sim.node, "qemu", vm.vmid), wait);
  await client.run(client.stop(sim.node, "qemu", vm.vmid, { overruleShutdown: true }), wait);
  assert.equal((await client.guestStatus(sim.node, "qemu", vm.vmid)).status, "stopped");
});

test("sim tasks – backup in stop and snapshot mode leaves backup=0 mount points out", async () => {
  const { client, sim } = t;
  for (const mode of ["stop", "snapshot"] as const) {
    const upid = await client.backup(sim.node, {
      vmid: 100,
      mode,
      storage: "local",
      compress: "zstd",
    });
    assert.equal(upid.type, "vzdump");
    const lines: string[] = [];
    const out = await client.waitTask(upid, {
      ...wait,
      acceptWarnings: true,
      onLog: (l) => lines.push(l.t),
    });
    assert.ok(out.status === "ok" || out.status === "warnings");
    assert.ok(
      lines.some((l) => /excluding .*mount point mp0/.test(l)),
      lines.join("\n"),
    );
  }
});

test("sim tasks – snapshot create, rollback and delete", async () => {
  const { client, sim } = t;
  await client.run(
    client.snapshot(sim.node, "lxc", 300, "before_change", { description: "x" }),
    wait,
  );
  assert.ok((await client.snapshots(sim.node, "lxc", 300)).some((s) => s.name === "before_change"));
  await client.run(client.rollback(sim.node, "lxc", 300, "before_change"), wait);
  await client.run(client.deleteSnapshot(sim.node, "lxc", 300, "before_change"), wait);
  assert.ok(
    !(await client.snapshots(sim.node, "lxc", 300)).some((s) => s.name === "before_change"),
  );
});

test("sim tasks – set config: LXC synchronously, QEMU as a task", async () => {
  const { client, sim } = t;
  const r = await client.setConfig(sim.node, "lxc", 300, {
    memory: 1024,
    cores: 2,
    onboot: true,
    net: { 1: { name: "eth1", bridge: "vmbr0", ip: "dhcp" } },
    mp: { 1: { volume: "local-lvm:1", mp: "/bulk", backup: false } },
  });
  assert.equal(r, undefined);
  const c = await client.guestConfig(sim.node, "lxc", 300);
  assert.equal(c.memory, 1024);
  assert.equal(c.onboot, true);
  assert.equal(c.net[1]?.name, "eth1");
  assert.equal(c.mp[1]?.backup, false);
  assert.equal(c.mp[1]?.mp, "/bulk");
  await client.setConfig(sim.node, "lxc", 300, { net: { 1: null }, digest: c.digest ?? "" });
  assert.equal((await client.guestConfig(sim.node, "lxc", 300)).net[1], undefined);
  const vm = (await client.qemuList(sim.node))[0];
  assert.ok(vm);
  const upid = await client.setConfig(sim.node, "qemu", vm.vmid, { cores: 3 });
  assert.equal(upid.type, "qmconfig");
  await client.waitTask(upid, wait);
  assert.equal((await client.guestConfig(sim.node, "qemu", vm.vmid)).cores, 3);
});

test("sim tasks – a task ending in error or warnings gives the typed outcome", async () => {
  const { client, sim } = t;
  sim.faults.add({
    path: /status\/start$/,
    times: 1,
    kind: { type: "task-outcome", outcome: "error", message: "startup for container '300' failed" },
  });
  const e = await failure(client.run(client.start(sim.node, "lxc", 300), wait));
  assert.equal(e.code, "PVE_TASK_FAILED");
  assert.equal(e["exitstatus"], "startup for container '300' failed");
  assert.match(
    String((e["logTail"] as string[]).at(-1)),
    /^TASK ERROR: startup for container '300' failed/,
  );
  sim.faults.add({
    path: /status\/start$/,
    times: 2,
    kind: { type: "task-outcome", outcome: "warnings", warnings: 2 },
  });
  const w = await failure(client.run(client.start(sim.node, "lxc", 300), wait));
  assert.equal(w.code, "PVE_TASK_WARNINGS");
  assert.equal(w["count"], 2);
  assert.equal((w["lines"] as string[]).length, 2);
  await client.run(client.stop(sim.node, "lxc", 300), wait);
  const ok = await client.run(client.start(sim.node, "lxc", 300), {
    ...wait,
    acceptWarnings: true,
  });
  assert.equal(ok.status, "warnings");
  await client.run(client.stop(sim.node, "lxc", 300), wait);
});

test("sim tasks – an authorization failure inside the task is PVE_PERMISSION, though the POST got 200", async () => {
  const { sim } = t;
  const token = sim.addToken({
    id: "felhom@pve!nobackup",
    privsep: true,
    acl: [
      { path: "/storage", privs: ["Datastore.AllocateSpace", "Datastore.Audit"] },
      { path: "/vms", privs: ["VM.Audit"] },
    ],
  });
  const limited = new Client({
    baseUrl: sim.url,
    token: token.value,
    tls: { fingerprint256: sim.fingerprint256 },
    logger: cap.logger,
  });
  try {
    const upid = await limited.backup(sim.node, { vmid: 100, mode: "snapshot", storage: "local" });
    assert.equal(upid.tokenid, "nobackup");
    const e = await failure(limited.waitTask(upid, wait));
    assert.equal(e.code, "PVE_PERMISSION");
    assert.deepEqual(e["privileges"], ["VM.Backup"]);
    assert.ok(e["task"]);
    const http = await failure(limited.start(sim.node, "lxc", 100));
    assert.equal(http.code, "PVE_PERMISSION");
    assert.deepEqual(http["privileges"], ["VM.PowerMgmt"]);
    const report = await limited.checkAccess(sim.node);
    const backup = report.operations.find((o) => o.operation === "backup");
    assert.equal(backup?.allowed, false);
    assert.deepEqual(backup?.missing, [{ path: "/vms", anyOf: ["VM.Backup"] }]);
  } finally {
    await limited.close();
  }
});

test("sim tasks – lock conflicts: PVE_LOCKED from a config lock, PVE_LOCK_TIMEOUT from HTTP and a task", async () => {
  // The simulator runs on a manual clock: each task holds its lock until the test moves time, and the 150 ms
  // lock timeout passes when the test says so (not when the machine gets round to it).
  const clock = createManualClock();
  const slow = await simWithClient({
    clock,
    taskDurations: { vzdump: 1500, vzstart: 800, qmstart: 800 },
    lockTimeoutMs: 150,
  });
  try {
    const { client, sim } = slow;
    const upid = await client.backup(sim.node, { vmid: 100, mode: "snapshot", storage: "local" });
    await until(() => sim.state.guest(100)?.config.lock === "backup");
    const e = await failure(client.setConfig(sim.node, "lxc", 100, { memory: 4096 }));
    assert.equal(e.code, "PVE_LOCKED");
    assert.equal(e["lock"], "backup");
    assert.ok(e["http"]);

    const starting = await client.start(sim.node, "lxc", 101);
    await until(() => sim.state.flocks.isHeld("/run/lock/lxc/pve-config-101.lock"));
    const timers = clock.pendingTimers();
    const put = failure(client.setConfig(sim.node, "lxc", 101, { memory: 1024 }));
    await until(() => clock.pendingTimers() > timers); // the PUT waits for the lock
    await clock.advance(150);
    const h = await put;
    assert.equal(h.code, "PVE_LOCK_TIMEOUT");
    assert.equal(h["vmid"], 101);

    const vm = (await client.qemuList(sim.node)).find((g) => g.status === "stopped");
    assert.ok(vm);
    const vmStart = await client.start(sim.node, "qemu", vm.vmid);
    await until(() => sim.state.flocks.isHeld(`/var/lock/qemu-server/lock-${vm.vmid}.conf`));
    const cfg = await client.setConfig(sim.node, "qemu", vm.vmid, { cores: 2 });
    await until(
      () => sim.state.tasks.get(cfg.raw)?.lines.includes("trying to acquire lock...") === true,
    );
    await clock.advance(150);
    const tl = await failure(client.waitTask(cfg, wait));
    assert.equal(tl.code, "PVE_LOCK_TIMEOUT");
    assert.equal(tl["vmid"], vm.vmid);
    assert.ok(tl["task"]);

    await clock.runAll();
    await client.waitTask(upid, { ...wait, acceptWarnings: true });
    await client.waitTask(starting, wait);
    await client.waitTask(vmStart, wait);
  } finally {
    await slow.close();
  }
});

test("sim tasks – the early no-such-task window, wait deadline, cancel and stopTask", async () => {
  const early = await simWithClient({
    earlyNoSuchTaskMs: 300,
    taskDurations: { vzstart: 400, vzsnapshot: 10_000 },
  });
  try {
    const { client, sim } = early;
    const upid = await client.start(sim.node, "lxc", 101);
    assert.equal((await client.waitTask(upid, wait)).status, "ok");
    const early400 = sim.requests.filter((r) => r.path.endsWith("/status") && r.status === 400);
    assert.ok(early400.length > 0, "the sim answered no such task at first");
    const long = await client.snapshot(sim.node, "lxc", 101, "slow");
    const timedOut = await failure(client.waitTask(long, { timeoutMs: 500 }));
    assert.equal(timedOut.code, "PVE_TASK_TIMEOUT");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    assert.equal(
      (await failure(client.waitTask(long, { ...wait, signal: ac.signal }))).code,
      "PVE_TASK_CANCELLED",
    );
    await client.stopTask(long);
    const stopped = await failure(client.waitTask(long, wait));
    assert.equal(stopped.code, "PVE_TASK_FAILED");
    assert.equal(stopped["kind"], "interrupted");
  } finally {
    await early.close();
  }
});
