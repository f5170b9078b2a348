// Restore (POST /nodes/{node}/lxc with restore=1): the archive's config comes back, unique makes new MACs, the
// hostname parameter wins, synchronous checks answer 4xx/5xx, and authorization can fail inside the task.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call, taskLog, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
let archive100: string;
let archive102: string;
before(async () => {
  sim = await startSim({ quiet: true, validateResponses: true, taskDurationMs: 40 });
  archive100 = sim.state.backups(100)[0]?.volid ?? "";
  archive102 = sim.state.backups(102)[0]?.volid ?? "";
});
after(() => sim.close());

const cfg = async (vmid: number): Promise<Record<string, string | number>> =>
  (await call(sim, "GET", `/nodes/pve/lxc/${vmid}/config`)).data as Record<string, string | number>;

test("restore – the archive's config comes back: features, hostname, MAC, mount points", async () => {
  const original = await cfg(100);
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 110,
      ostemplate: archive100,
      restore: 1,
      storage: "local-lvm",
    }),
  );
  assert.match(upid, /:vzrestore:110:root@pam!pve-sim:$/);
  assert.equal((await waitTask(sim, upid)).exitstatus, "OK");
  const c = await cfg(110);
  assert.equal(c.features, "keyctl=1,nesting=1");
  assert.equal(c.hostname, "web");
  assert.equal(c.net0, original.net0, "same MAC without unique");
  assert.equal(c.unprivileged, 1);
  assert.match(String(c.rootfs), /^local-lvm:vm-110-disk-\d+,size=8G$/);
  assert.match(
    String(c.mp0),
    /^local-lvm:vm-110-disk-\d+,mp=\/srv\/data,backup=0,size=32G$/,
    "mount points keep backup=0",
  );
  assert.equal(c.lock, undefined);
  const log = await taskLog(sim, upid);
  assert.equal(log[0], `recovering backed-up configuration from '${archive100}'`);
  assert.ok(log.includes("merging backed-up and given configuration.."));
  assert.equal(log.at(-1), "TASK OK");
});

test("restore – unique=1 gives new MACs, hostname overrides the archive's", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 111,
      ostemplate: archive100,
      restore: 1,
      unique: 1,
      hostname: "web-copy",
      storage: "local-lvm",
      start: 1,
    }),
  );
  await waitTask(sim, upid);
  const c = await cfg(111);
  const old = await cfg(100);
  const mac = (net: unknown): string => /hwaddr=([0-9A-F:]+)/.exec(String(net))?.[1] ?? "";
  assert.notEqual(mac(c.net0), mac(old.net0));
  assert.match(mac(c.net0), /^BC:24:11:/);
  assert.equal(c.hostname, "web-copy");
  assert.equal(sim.state.guest(111)?.status, "running", "start=1 starts it afterwards");
});

test("restore – the new container is visible with lock 'create' while the task runs", async () => {
  sim.state.tasks.durations.set("vzrestore", 400);
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 112,
      ostemplate: archive100,
      restore: 1,
      storage: "local-lvm",
    }),
  );
  const during = (await call(sim, "GET", "/nodes/pve/lxc/112/status/current")).data as Record<
    string,
    unknown
  >;
  assert.equal(during.lock, "create");
  await waitTask(sim, upid);
  sim.state.tasks.durations.delete("vzrestore");
});

test("restore – synchronous refusals: existing vmid, wrong content type, storage without rootdir", async () => {
  const exists = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 100,
    ostemplate: archive100,
    restore: 1,
    storage: "local-lvm",
  });
  assert.equal(exists.status, 500);
  assert.equal(exists.statusText, "CT 100 already exists on node 'pve'");
  const tmpl = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 120,
    ostemplate: "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
    restore: 1,
    storage: "local-lvm",
  });
  assert.equal(
    tmpl.statusText,
    "unable to use volume local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst - content type needs to be 'backup'",
  );
  const local = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 120,
    ostemplate: archive100,
    restore: 1,
  });
  assert.equal(local.status, 400, "storage defaults to 'local', which holds no container volumes");
  assert.deepEqual(local.json?.errors, {
    storage: "storage 'local' does not support container directories",
  });
  assert.equal(sim.state.guest(120), undefined, "nothing was created");
});

test("restore – a token without VM.Backup on the archive's guest gets 403 at once", async () => {
  const t = sim.addToken({
    id: "ops@pve!restore",
    acl: [
      { path: "/vms/130", privs: ["VM.Allocate", "VM.Audit"] },
      { path: "/storage", privs: ["Datastore.AllocateSpace"] },
    ],
  });
  const r = await call(
    sim,
    "POST",
    "/nodes/pve/lxc",
    { vmid: 130, ostemplate: archive100, restore: 1, storage: "local-lvm" },
    { token: t.value },
  );
  assert.equal(r.status, 403);
  assert.equal(r.statusText, "Permission check failed (/vms/100, VM.Backup)");
});

test("restore – authorization that fails inside the task after the POST returned a UPID (SDN.Use on the bridge)", async () => {
  const t = sim.addToken({
    id: "ops@pve!nosdn",
    acl: [
      { path: "/vms", privs: ["VM.Allocate", "VM.Audit", "VM.Backup"] },
      { path: "/storage", privs: ["Datastore.AllocateSpace"] },
    ],
  });
  const r = await call(
    sim,
    "POST",
    "/nodes/pve/lxc",
    { vmid: 131, ostemplate: archive100, restore: 1, storage: "local-lvm" },
    { token: t.value },
  );
  assert.equal(r.status, 200, "the POST proves nothing");
  const done = await waitTask(sim, upidOf(r));
  assert.equal(
    done.exitstatus,
    "unable to restore CT 131 - 403 Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)",
  );
  assert.equal(sim.state.guest(131), undefined, "the half-made container is removed");
});

test("restore – a privileged backup needs Sys.Modify on /, checked inside the task", async () => {
  const t = sim.addToken({
    id: "ops@pve!nopriv",
    acl: [
      { path: "/vms", privs: ["VM.Allocate", "VM.Audit", "VM.Backup"] },
      { path: "/storage", privs: ["Datastore.AllocateSpace"] },
      { path: "/sdn", privs: ["SDN.Use"] },
    ],
  });
  const r = await call(
    sim,
    "POST",
    "/nodes/pve/lxc",
    { vmid: 132, ostemplate: archive102, restore: 1, storage: "local-lvm" },
    { token: t.value },
  );
  const done = await waitTask(sim, upidOf(r));
  assert.equal(
    done.exitstatus,
    "unable to restore CT 132 - 403 Permission check failed (/, Sys.Modify)",
  );
  const asUnpriv = await call(
    sim,
    "POST",
    "/nodes/pve/lxc",
    { vmid: 133, ostemplate: archive102, restore: 1, storage: "local-lvm", unprivileged: 1 },
    { token: t.value },
  );
  assert.equal((await waitTask(sim, upidOf(asUnpriv))).exitstatus, "OK");
});

test("restore – tokens may not ask for keyctl, but the archive's keyctl comes back (PVE's loophole)", async () => {
  const deny = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 140,
    ostemplate: archive100,
    restore: 1,
    storage: "local-lvm",
    unprivileged: 1,
    features: "keyctl=1,nesting=1",
  });
  assert.equal(deny.status, 403);
  assert.equal(
    deny.statusText,
    "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)",
  );
  const privileged = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 140,
    ostemplate: archive100,
    restore: 1,
    storage: "local-lvm",
    features: "nesting=1",
  });
  assert.equal(
    privileged.statusText,
    "Permission check failed (changing feature flags for privileged container is only allowed for root@pam)",
  );
  const plain = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 140,
    ostemplate: archive100,
    restore: 1,
    storage: "local-lvm",
  });
  await waitTask(sim, upidOf(plain));
  assert.equal((await cfg(140)).features, "keyctl=1,nesting=1");
});

test("create – from a template: defaults, new rootfs, unprivileged by default", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 150,
      ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
      storage: "local-lvm",
      hostname: "fresh",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      features: "nesting=1",
    }),
  );
  assert.match(upid, /:vzcreate:150:/);
  assert.equal((await waitTask(sim, upid)).exitstatus, "OK");
  const c = await cfg(150);
  assert.equal(c.unprivileged, 1);
  assert.equal(c.hostname, "fresh");
  assert.match(String(c.rootfs), /^local-lvm:vm-150-disk-0,size=4G$/);
  assert.match(String(c.net0), /hwaddr=BC:24:11:/);
  const keyctl = await call(sim, "POST", "/nodes/pve/lxc", {
    vmid: 151,
    ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
    storage: "local-lvm",
    features: "keyctl=1",
  });
  assert.equal(keyctl.status, 403, "keyctl needs a root@pam ticket, no token qualifies");
});
