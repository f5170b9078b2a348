// Every read method against the simulator over HTTPS: typed, normalised results.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { simWithClient, type SimClient } from "./sim-helpers.js";

let t: SimClient;
before(async () => {
  t = await simWithClient();
});
after(() => t.close());

test("sim reads – version, node status and rrddata", async () => {
  const v = await t.client.version();
  assert.match(v.version, /^\d+\.\d+/);
  const s = await t.client.nodeStatus(t.sim.node);
  assert.ok(s.memory.total > 0);
  assert.equal(s.loadavg.length, 3);
  const rrd = await t.client.rrddata(t.sim.node, { timeframe: "hour" });
  assert.ok(rrd.length > 0);
  assert.ok(rrd.every((r) => typeof r.time === "number"));
  const max = await t.client.rrddata(t.sim.node, { timeframe: "day", cf: "MAX" });
  assert.ok(max.length > 0);
});

test("sim reads – cluster resources, with and without a type filter", async () => {
  const all = await t.client.clusterResources();
  assert.ok(all.some((r) => r.type === "node"));
  assert.ok(all.some((r) => r.type === "storage"));
  const vms = await t.client.clusterResources({ type: "vm" });
  assert.ok(vms.length > 0);
  assert.ok(vms.every((r) => r.type === "lxc" || r.type === "qemu"));
  assert.ok(
    vms.every(
      (r) =>
        typeof r.vmid === "number" && (r.template === undefined || typeof r.template === "boolean"),
    ),
  );
});

test("sim reads – guest lists, status and configs of both kinds", async () => {
  const guests = await t.client.listGuests(t.sim.node);
  assert.ok(guests.some((g) => g.kind === "lxc") && guests.some((g) => g.kind === "qemu"));
  assert.deepEqual(
    guests.map((g) => g.vmid),
    [...guests.map((g) => g.vmid)].sort((a, b) => a - b),
  );
  const ct = guests.find((g) => g.kind === "lxc" && g.status === "running");
  const vm = guests.find((g) => g.kind === "qemu");
  assert.ok(ct && vm);
  const ctStatus = await t.client.guestStatus(t.sim.node, "lxc", ct.vmid);
  assert.equal(ctStatus.kind, "lxc");
  assert.equal(ctStatus.vmid, ct.vmid);
  assert.equal(ctStatus.status, "running");
  const vmStatus = await t.client.guestStatus(t.sim.node, "qemu", vm.vmid);
  assert.equal(vmStatus.kind, "qemu");
  const ctConfig = await t.client.guestConfig(t.sim.node, "lxc", ct.vmid);
  assert.equal(ctConfig.kind, "lxc");
  assert.ok(ctConfig.digest);
  assert.ok(ctConfig.net[0]?.bridge);
  assert.ok(ctConfig.rootfs?.volume);
  const vmConfig = await t.client.guestConfig(t.sim.node, "qemu", vm.vmid);
  assert.equal(vmConfig.kind, "qemu");
  assert.ok(Object.keys(vmConfig.disks).length > 0);
  assert.ok(vmConfig.net[0]?.model);
  assert.equal(
    (await t.client.lxcList(t.sim.node)).length + (await t.client.qemuList(t.sim.node)).length,
    guests.length,
  );
});

test("sim reads – the sample container keeps its bulk mount point out of backups", async () => {
  const c = await t.client.guestConfig(t.sim.node, "lxc", 100);
  const bulk = Object.values(c.mp).find((m) => m.mp === "/srv/data");
  assert.equal(bulk?.backup, false);
});

test("sim reads – storage list and content with filters", async () => {
  const storages = await t.client.storageList(t.sim.node);
  const backupStore = storages.find((s) => s.content.includes("backup"));
  assert.ok(backupStore);
  const backups = await t.client.storageContent(t.sim.node, backupStore.storage, {
    content: "backup",
  });
  assert.ok(backups.length > 0);
  assert.ok(backups.every((b) => b.content === "backup" && typeof b.size === "number"));
  const ofOne = await t.client.storageContent(t.sim.node, backupStore.storage, {
    content: "backup",
    vmid: 100,
  });
  assert.ok(ofOne.every((b) => b.vmid === 100));
});

test("sim reads – snapshots and the task list", async () => {
  const snaps = await t.client.snapshots(t.sim.node, "lxc", 100);
  assert.ok(snaps.some((s) => s.name === "current"));
  const tasks = await t.client.taskList(t.sim.node, { limit: 10, source: "all" });
  assert.ok(Array.isArray(tasks));
});

test("sim reads – permissions and checkAccess with the full token", async () => {
  const perms = await t.client.permissions();
  assert.ok(Object.keys(perms).length > 0);
  const report = await t.client.checkAccess(t.sim.node);
  assert.equal(
    report.allAllowed,
    true,
    JSON.stringify(report.operations.filter((o) => !o.allowed)),
  );
});
