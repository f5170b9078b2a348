// Error guards – every error of the taxonomy is matched by its stable code (a table, as undici's
// test/errors.js), narrowing without casts, also for an error from another copy of the package.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  PVE_ERROR_CODES,
  PveArgumentError,
  PveHttpError,
  PveLockError,
  PvePermissionError,
  PveTaskFailedError,
  PveTaskWarningsError,
  PveTlsPinMismatchError,
  hasPveCode,
  isPveError,
  isTaskFailure,
  parseUpid,
} from "@felhom/pve-client";

const upid = parseUpid("UPID:pve:0000A1B2:0012C3D4:6745E0F0:vzdump:101:felhom@pve!agent:");
const task = { upid, exitstatus: "command failed", logTail: ["TASK ERROR: command failed"] };

test("error guards – each class is recognised by its code, and only by its code", () => {
  const cases: Array<[unknown, string]> = [
    [new PveArgumentError("vmid", "bad"), "PVE_INVALID_ARGUMENT"],
    [new PveTaskFailedError(task, "error"), "PVE_TASK_FAILED"],
    [new PveTaskWarningsError(upid, 2, ["WARN: a", "WARN: b"]), "PVE_TASK_WARNINGS"],
    [new PveTlsPinMismatchError("pve", "AA", "BB"), "PVE_TLS_PIN_MISMATCH"],
  ];
  for (const [err, code] of cases) {
    assert.ok(isPveError(err), code);
    assert.ok(hasPveCode(err, code as (typeof PVE_ERROR_CODES)[number]), code);
    assert.ok(!hasPveCode(err, "PVE_HTTP"), `${code} is not PVE_HTTP`);
  }
  for (const notOurs of [new Error("x"), { code: "ECONNRESET" }, null, undefined, "PVE_HTTP", 42])
    assert.ok(!isPveError(notOurs), JSON.stringify(notOurs) ?? "undefined");
  assert.equal(new Set(PVE_ERROR_CODES).size, PVE_ERROR_CODES.length);
});

test("error guards – an error of another copy of the package (same code, other class) still matches", () => {
  // Two copies of pve-client in one process (or a bundle) make instanceof fail; the code does not.
  const foreign = Object.assign(new Error("GET /x: 500 boom"), { code: "PVE_HTTP", status: 500 });
  assert.ok(!(foreign instanceof PveHttpError));
  assert.ok(hasPveCode(foreign, "PVE_HTTP") && foreign.status === 500);
});

test("isTaskFailure – a real type guard: the task is readable without casts", () => {
  const failed: unknown = new PveTaskFailedError(task, "error");
  assert.ok(isTaskFailure(failed));
  if (isTaskFailure(failed) && failed.code !== "PVE_TASK_WARNINGS")
    assert.equal(failed.task.exitstatus, "command failed");
  assert.ok(isTaskFailure(new PveTaskWarningsError(upid, 1, ["WARN: x"])));
  assert.ok(!isTaskFailure(new PveArgumentError("x", "y")));
  assert.ok(!isTaskFailure(new Error("x")));
});

test("isTaskFailure – permission and lock errors count only when a task raised them", () => {
  const http = {
    method: "POST",
    path: "/x",
    status: 403,
    statusText: "Permission check failed",
    fieldErrors: {},
  };
  const perm = (t?: typeof task) =>
    new PvePermissionError("no", { privileges: ["VM.Backup"], http, ...(t ? { task: t } : {}) });
  const lock = (t?: typeof task) =>
    new PveLockError("PVE_LOCKED", "locked", { http, ...(t ? { task: t } : {}) });
  assert.ok(!isTaskFailure(perm()));
  assert.ok(isTaskFailure(perm(task)));
  assert.ok(!isTaskFailure(lock()));
  assert.ok(isTaskFailure(lock(task)));
});
