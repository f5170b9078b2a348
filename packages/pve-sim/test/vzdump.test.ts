// vzdump: snapshot and stop mode, what the archive records (backup=0 mount points left out), the archive name,
// the temporary 'vzdump' snapshot, VM.Backup checked inside the task, locked guests and the global lock.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, startSim, type Sim } from "../src/index.js";
import { call, taskLog, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(
  async () => (sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 60 })),
);
after(() => sim.close());

test("vzdump – snapshot mode: archive in storage content, rootfs captured, mp0 (backup=0) left out", async () => {
  const before = sim.state.backups(100).length;
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 100,
      mode: "snapshot",
      storage: "local",
      compress: "zstd",
      "notes-template": "{{guestname}} on {{node}}",
    }),
  );
  assert.match(upid, /:vzdump:100:root@pam!pve-sim:$/);
  assert.equal((await waitTask(sim, upid)).exitstatus, "OK");
  const backups = sim.state.backups(100);
  assert.equal(backups.length, before + 1);
  const latest = backups.find((b) => b.backup?.upid === upid);
  assert.ok(latest?.backup);
  assert.match(
    latest.volid,
    /^local:backup\/vzdump-lxc-100-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}\.tar\.zst$/,
  );
  assert.deepEqual(latest.backup.included, ["rootfs"]);
  assert.deepEqual(latest.backup.excluded, [{ key: "mp0", reason: "disabled" }]);
  assert.equal(latest.backup.mode, "snapshot");
  assert.equal(latest.backup.config.features, "keyctl=1,nesting=1");
  assert.equal(latest.notes, "web on pve");
  const content = await call(sim, "GET", "/nodes/pve/storage/local/content", {
    content: "backup",
    vmid: 100,
  });
  assert.ok((content.data as Array<{ volid: string }>).some((v) => v.volid === latest.volid));
  const log = await taskLog(sim, upid);
  assert.ok(log.includes("INFO: including mount point rootfs ('/') in backup"));
  assert.ok(
    log.includes("INFO: excluding volume mount point mp0 ('/srv/data') from backup (disabled)"),
  );
  assert.ok(log.includes("INFO: create storage snapshot 'vzdump'"));
  assert.ok(log.includes("INFO: backup mode: snapshot"));
  assert.equal(log.at(-2), "INFO: Backup job finished successfully");
  assert.equal(sim.state.guest(100)?.status, "running", "snapshot mode leaves the guest running");
  assert.equal(sim.state.guest(100)?.snapshots.has("vzdump"), false, "temporary snapshot removed");
});

test("vzdump – the temporary 'vzdump' snapshot and the backup lock are visible while it runs", async () => {
  // Its own simulator on a manual clock: the task runs only as far as the test moves time, 10 ms a step.
  const clock = createManualClock();
  const own = await startSim({ quiet: true, validateResponses: true, clock, taskDurationMs: 500 });
  try {
    const upid = upidOf(
      await call(own, "POST", "/nodes/pve/vzdump", { vmid: 100, storage: "local" }),
    );
    let sawSnapshot = false;
    let sawLock = false;
    let steps = 0;
    while (own.state.tasks.get(upid)?.status === "running") {
      const snaps = (await call(own, "GET", "/nodes/pve/lxc/100/snapshot")).data as Array<{
        name: string;
      }>;
      sawSnapshot ||= snaps.some((s) => s.name === "vzdump");
      sawLock ||=
        ((await call(own, "GET", "/nodes/pve/lxc/100/config")).data as { lock?: string }).lock ===
        "backup";
      await clock.advance(10);
      steps++;
    }
    assert.ok(steps >= 40, `the task ran ${steps} steps of 10 ms`);
    assert.ok(sawSnapshot && sawLock);
    const made = own.state.backups(100).find((b) => b.backup?.upid === upid);
    assert.ok(made?.volid.endsWith(".tar"), "no compress: a plain .tar");
  } finally {
    await own.close();
  }
});

test("vzdump – stop mode stops a running guest and restarts it", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 100,
      mode: "stop",
      storage: "local",
      compress: "gzip",
    }),
  );
  assert.equal((await waitTask(sim, upid)).exitstatus, "OK");
  const log = await taskLog(sim, upid);
  assert.ok(log.includes("INFO: stopping virtual guest"));
  assert.ok(log.includes("INFO: restarting vm"));
  assert.equal(sim.state.guest(100)?.status, "running");
  const made = sim.state.backups(100).find((b) => b.backup?.upid === upid);
  assert.equal(made?.backup?.mode, "stop");
  assert.ok(made?.volid.endsWith(".tar.gz"));
});

test("vzdump – a stopped guest is backed up in stop mode whatever mode was asked", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, mode: "snapshot", storage: "local" }),
  );
  await waitTask(sim, upid);
  assert.ok((await taskLog(sim, upid)).includes("INFO: backup mode: stop"));
  assert.equal(sim.state.guest(101)?.status, "stopped");
});

test("vzdump – VMs: disks listed, backup=0 disks excluded, .vma archive", async () => {
  await call(sim, "PUT", "/nodes/pve/qemu/201/config", {
    scsi1: "local-lvm:vm-201-disk-2,backup=0,size=100G",
  });
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 201, storage: "local", compress: "zstd" }),
  );
  assert.equal((await waitTask(sim, upid)).exitstatus, "OK");
  const b = sim.state.backups(201).find((x) => x.backup?.upid === upid);
  assert.match(b?.volid ?? "", /vzdump-qemu-201-.*\.vma\.zst$/);
  assert.deepEqual(b?.backup?.excluded, [{ key: "scsi1", reason: "backup=no" }]);
  assert.ok(b?.backup?.included.includes("scsi0"));
});

test("vzdump – without VM.Backup the POST still answers a UPID and the task fails with 403", async () => {
  const t = sim.addToken({
    id: "ops@pve!nobackup",
    acl: [
      { path: "/storage/local", privs: ["Datastore.AllocateSpace"] },
      { path: "/vms", privs: ["VM.Audit"] },
    ],
  });
  const r = await call(
    sim,
    "POST",
    "/nodes/pve/vzdump",
    { vmid: 100, storage: "local" },
    { token: t.value },
  );
  assert.equal(r.status, 200);
  const done = await waitTask(sim, upidOf(r));
  assert.equal(done.exitstatus, "403 Permission check failed (/vms/100, VM.Backup)");
  const noStore = await call(
    sim,
    "POST",
    "/nodes/pve/vzdump",
    { vmid: 100, storage: "local-lvm" },
    { token: t.value },
  );
  assert.equal(
    noStore.status,
    403,
    "Datastore.AllocateSpace on the target storage is checked at once",
  );
});

test("vzdump – a locked guest fails its part, the job ends with 'job errors'", async () => {
  const g = sim.state.guest(101);
  assert.ok(g);
  g.config.lock = "snapshot";
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", { vmid: "101,100", storage: "local" }),
  );
  assert.equal((await waitTask(sim, upid)).exitstatus, "job errors");
  delete g.config.lock;
  const log = await taskLog(sim, upid);
  assert.ok(log.includes("ERROR: Backup of VM 101 failed - CT is locked (snapshot)"));
  assert.ok(log.includes("INFO: Backup job finished with errors"));
  assert.ok(
    log.some((l) => l.startsWith("INFO: Finished Backup of VM 100")),
    "the other guest was still backed up",
  );
});

test("vzdump – parameters: conflicts and CLI-only options", async () => {
  const both = await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 100, all: 1 });
  assert.deepEqual(both.json?.errors, { all: "option conflicts with option 'vmid'" });
  const none = await call(sim, "POST", "/nodes/pve/vzdump", {});
  assert.deepEqual(none.json?.errors, { vmid: "property is missing" });
  const stdout = await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 100, stdout: 1 });
  assert.deepEqual(stdout.json?.errors, {
    stdout: "option is only allowed on the command line interface.",
  });
});

test("vzdump – one job at a time: the second waits for the global lock", async () => {
  sim.state.tasks.durations.set("vzdump", 200);
  const a = upidOf(await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" }));
  const b = upidOf(await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" }));
  await waitTask(sim, a);
  await waitTask(sim, b);
  sim.state.tasks.durations.delete("vzdump");
  const log = await taskLog(sim, b);
  assert.equal(log[0], "INFO: trying to get global lock - waiting...");
  assert.equal(log[1], "INFO: got global lock");
});
