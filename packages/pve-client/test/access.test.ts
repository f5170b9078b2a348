// The privilege table and the evaluation of /access/permissions: propagation, exact paths and naming what
// is missing per operation.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  OPERATION_PRIVILEGES,
  evaluateAccess,
  hasPrivilege,
  requiredPrivileges,
} from "@felhom/pve-client";

const version = { version: "9.1.4", release: "9.1", repoid: "abcdef12" };

test("hasPrivilege – own entry decides; ancestors count only when they propagate", () => {
  const perms = {
    "/": { "Sys.Audit": false },
    "/vms": { "VM.Audit": true, "VM.PowerMgmt": false },
    "/vms/100": { "VM.Snapshot": false },
  };
  assert.equal(hasPrivilege(perms, "/vms/101", "VM.Audit"), true);
  assert.equal(hasPrivilege(perms, "/vms/101", "VM.PowerMgmt"), false, "not propagated");
  assert.equal(hasPrivilege(perms, "/vms", "VM.PowerMgmt"), true, "granted on the path itself");
  assert.equal(hasPrivilege(perms, "/vms/100", "VM.Snapshot"), true);
  assert.equal(
    hasPrivilege(perms, "/vms/100", "VM.Audit"),
    false,
    "the own entry is the effective set",
  );
  assert.equal(hasPrivilege(perms, "/nodes/pve", "Sys.Audit"), false);
  assert.equal(hasPrivilege({}, "/vms", "VM.Audit"), false);
});

test("evaluateAccess – reports each operation and names the missing privileges", () => {
  const perms = {
    "/nodes/pve": { "Sys.Audit": true },
    "/vms": { "VM.Audit": true, "VM.PowerMgmt": true, "VM.Backup": true },
    "/storage": { "Datastore.Audit": true },
  };
  const r = evaluateAccess(version, perms, { node: "pve" });
  const byOp = Object.fromEntries(r.operations.map((o) => [o.operation, o]));
  assert.equal(r.allAllowed, false);
  assert.equal(byOp["nodeStatus"]?.allowed, true);
  for (const power of ["start", "stop", "shutdown"]) assert.equal(byOp[power]?.allowed, true);
  for (const task of ["taskList", "taskStatus", "taskLog", "waitTask"])
    assert.equal(byOp[task]?.allowed, true);
  assert.equal(byOp["backup"]?.allowed, false);
  assert.deepEqual(byOp["backup"]?.missing, [
    { path: "/storage", anyOf: ["Datastore.AllocateSpace"] },
  ]);
  assert.deepEqual(
    byOp["setConfig"]?.missing.map((m) => m.anyOf[0]),
    [
      "VM.Config.Memory",
      "VM.Config.CPU",
      "VM.Config.Network",
      "VM.Config.Options",
      "VM.Config.Disk",
      "SDN.Use",
    ],
  );
  // Restore needs SDN.Use on the archive's bridges (PVE 8+), checked inside the task.
  assert.ok(byOp["restore"]?.missing.some((m) => m.path === "/sdn/zones/localnetwork"));
  const scoped = evaluateAccess(
    version,
    { ...perms, "/sdn/zones/localnetwork/vmbr0": { "SDN.Use": false } },
    { node: "pve", bridge: "vmbr0" },
  );
  assert.ok(
    !scoped.operations
      .find((o) => o.operation === "setConfig")
      ?.missing.some((m) => m.anyOf[0] === "SDN.Use"),
    "SDN.Use granted on the bridge itself",
  );
  assert.deepEqual(Object.keys(byOp).sort(), Object.keys(OPERATION_PRIVILEGES).sort());
});

test("evaluateAccess – a full role covers every operation", () => {
  const all = Object.fromEntries(requiredPrivileges().map((p) => [p, true]));
  const r = evaluateAccess(version, { "/": all }, { node: "pve", vmid: 100, storage: "local" });
  assert.equal(r.allAllowed, true, JSON.stringify(r.operations.filter((o) => !o.allowed)));
  assert.ok(requiredPrivileges().includes("VM.Allocate"));
});

test("README – the documented pveum role equals requiredPrivileges()", async () => {
  const { readFile } = await import("node:fs/promises");
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const m = /pveum role add FelhomAgent --privs "([^"]+)"/.exec(readme);
  assert.ok(m);
  assert.deepEqual(m[1]?.split(","), requiredPrivileges());
});
