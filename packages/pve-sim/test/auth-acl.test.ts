// Tokens and ACLs as PVE computes them: propagation, the deepest path wins, NoAccess, privilege-separated tokens
// (user ∩ token), 403 texts naming the missing privilege, /access/permissions, and filtered lists.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, validateResponses: true })));
after(() => sim.close());

test("acl – a missing privilege is named in the 403", async () => {
  const t = sim.addToken({ id: "ops@pve!audit", acl: [{ path: "/vms", privs: ["VM.Audit"] }] });
  const r = await call(sim, "POST", "/nodes/pve/lxc/101/status/start", {}, { token: t.value });
  assert.equal(r.status, 403);
  assert.equal(r.statusText, "Permission check failed (/vms/101, VM.PowerMgmt)");
  assert.equal(r.json?.message, "Permission check failed (/vms/101, VM.PowerMgmt)\n");
  assert.equal(
    (await call(sim, "GET", "/nodes/pve/lxc/101/status/current", undefined, { token: t.value }))
      .status,
    200,
  );
});

test("acl – 'any' checks list all candidates with '|'", async () => {
  const t = sim.addToken({ id: "ops@pve!none", acl: [{ path: "/vms/101", privs: ["VM.Audit"] }] });
  const r = await call(
    sim,
    "PUT",
    "/nodes/pve/lxc/101/config",
    { memory: 2048 },
    { token: t.value },
  );
  assert.equal(r.status, 403);
  assert.equal(
    r.statusText,
    "Permission check failed (/vms/101, VM.Config.Disk|VM.Config.CPU|VM.Config.Memory|VM.Config.Network|VM.Config.Options)",
  );
});

test("acl – propagation, non-propagating entries, and the deepest path wins", () => {
  sim.addUser("alice@pve", [
    { path: "/", privs: ["Sys.Audit", "VM.Audit"] },
    { path: "/vms/100", privs: ["VM.PowerMgmt"] },
    { path: "/storage", privs: ["Datastore.Audit"], propagate: false },
    { path: "/vms/101", privs: [] },
  ]);
  const acl = sim.state.access;
  assert.deepEqual(Object.keys(acl.permissions("alice@pve", "/nodes/pve")).sort(), [
    "Sys.Audit",
    "VM.Audit",
  ]);
  assert.deepEqual(
    Object.keys(acl.permissions("alice@pve", "/vms/100")),
    ["VM.PowerMgmt"],
    "deeper entry replaces inherited ones",
  );
  assert.deepEqual(
    acl.permissions("alice@pve", "/vms/101"),
    {},
    "empty privileges act as NoAccess",
  );
  assert.deepEqual(
    acl.permissions("alice@pve", "/storage"),
    { "Datastore.Audit": 0 },
    "applies on its own path, flagged 0",
  );
  assert.equal(
    acl.permissions("alice@pve", "/storage/local")["Datastore.Audit"],
    undefined,
    "not propagated",
  );
});

test("acl – a privilege-separated token gets the intersection of user and token privileges", async () => {
  sim.addUser("bob@pve", [{ path: "/vms", privs: ["VM.Audit", "VM.PowerMgmt"] }]);
  const t = sim.addToken({
    id: "bob@pve!ci",
    privsep: true,
    acl: [{ path: "/", privs: ["VM.Audit", "VM.Backup"] }],
  });
  assert.deepEqual(Object.keys(sim.state.access.permissions(t.id, "/vms/100")), ["VM.Audit"]);
  const plain = sim.addToken({ id: "bob@pve!plain", privsep: false });
  assert.deepEqual(Object.keys(sim.state.access.permissions(plain.id, "/vms/100")).sort(), [
    "VM.Audit",
    "VM.PowerMgmt",
  ]);
  const r = await call(sim, "GET", "/access/permissions", undefined, { token: t.value });
  const all = r.data as Record<string, unknown>;
  assert.deepEqual(all["/vms"], { "VM.Audit": 1 });
  assert.equal(all["/"], undefined, "nothing is set on / for this token");
  for (const v of Object.values(all))
    assert.deepEqual(
      v,
      { "VM.Audit": 1 },
      "every ACL path in the tree is listed, with the intersection",
    );
  const one = await call(
    sim,
    "GET",
    "/access/permissions",
    { path: "/vms/100" },
    { token: plain.value },
  );
  assert.deepEqual(one.data, { "/vms/100": { "VM.Audit": 1, "VM.PowerMgmt": 1 } });
});

test("acl – /access/permissions for someone else needs Sys.Audit on /access", async () => {
  const t = sim.addToken({ id: "carol@pve!xx", acl: [{ path: "/vms", privs: ["VM.Audit"] }] });
  const r = await call(
    sim,
    "GET",
    "/access/permissions",
    { userid: "root@pam" },
    { token: t.value },
  );
  assert.equal(r.status, 403);
  assert.equal(r.statusText, "Permission check failed (/access, Sys.Audit)");
  const root = await call(sim, "GET", "/access/permissions", { userid: t.id, path: "/vms" });
  assert.deepEqual(root.data, { "/vms": { "VM.Audit": 1 } });
});

test("acl – the full token sees every privilege everywhere", async () => {
  const r = await call(sim, "GET", "/access/permissions");
  const perms = r.data as Record<string, Record<string, number>>;
  assert.equal(perms["/"]?.["Sys.Modify"], 1);
  assert.equal(perms["/vms"]?.["VM.Allocate"], 1);
});

test("acl – lists only show what the token may audit", async () => {
  const t = sim.addToken({
    id: "dave@pve!one",
    acl: [
      { path: "/vms/100", privs: ["VM.Audit"] },
      { path: "/storage/local", privs: ["Datastore.Audit"] },
    ],
  });
  const res = await call(sim, "GET", "/cluster/resources", undefined, { token: t.value });
  const ids = (res.data as Array<{ id: string }>).map((e) => e.id);
  assert.deepEqual(ids, ["lxc/100", "node/pve", "storage/pve/local"]);
  const lxc = await call(sim, "GET", "/nodes/pve/lxc", undefined, { token: t.value });
  assert.deepEqual(
    (lxc.data as Array<{ vmid: number }>).map((e) => e.vmid),
    [100],
  );
  const content = await call(sim, "GET", "/nodes/pve/storage/local/content", undefined, {
    token: t.value,
  });
  const kinds = new Set((content.data as Array<{ content: string }>).map((c) => c.content));
  assert.ok(
    kinds.has("vztmpl") && !kinds.has("backup"),
    "backups need Datastore.AllocateSpace and VM.Backup",
  );
  const store = await call(sim, "GET", "/nodes/pve/storage/local-lvm/content", undefined, {
    token: t.value,
  });
  assert.equal(store.status, 403);
  assert.equal(
    store.statusText,
    "Permission check failed (/storage/local-lvm, Datastore.Audit|Datastore.AllocateSpace)",
  );
});

test("acl – tokens cannot set feature flags other than nesting (root@pam only)", async () => {
  const r = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { features: "nesting=1,keyctl=1" });
  assert.equal(r.status, 403);
  assert.equal(
    r.statusText,
    "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)",
  );
  const nesting = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { features: "nesting=0" });
  assert.equal(nesting.status, 200, "nesting alone needs VM.Allocate");
});
