// The top-level README stays true: its pveum role is exactly the client's required privileges, and CI runs
// exactly the test command it gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { requiredPrivileges } from "@felhom/pve-client";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("README – the pveum role grants exactly the routing table's privileges", () => {
  const m = /pveum role add FelhomAgent --privs "([^"]+)"/.exec(readme);
  assert.ok(m, "no pveum role line");
  assert.deepEqual(m[1]?.split(","), requiredPrivileges());
  assert.match(readme, /pveum acl modify \/ --roles FelhomAgent --users felhom@pve/);
  assert.match(readme, /pveum user token add felhom@pve agent --privsep 1/);
});

test("README – .ci/run runs the README's test command", () => {
  const setUp = /## Set-up\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const testCommand = /^(npm \S+)\s+#.*test suite/m.exec(setUp)?.[1];
  assert.equal(testCommand, "npm test");
  const ci = readFileSync(new URL("../.ci/run", import.meta.url), "utf8");
  assert.match(ci, /^npm test$/m);
  assert.match(setUp, /^npm ci && npm start/m);
});
