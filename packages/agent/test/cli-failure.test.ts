// The CLI's one failure taxonomy – a table: each kind of error (agent, pve-client, helper, anything else)
// gets its code, one line and its exit status, matched by code (so an error of another package copy works).
import assert from "node:assert/strict";
import { test } from "node:test";
import { HelperError } from "@felhom/helper-protocol";
import { PveArgumentError, PveTaskFailedError, parseUpid } from "@felhom/pve-client";
import { AgentError, UsageError, cliFailure } from "../src/index.js";

const upid = parseUpid("UPID:pve:0000A1B2:0012C3D4:6745E0F0:vzdump:101:felhom@pve!agent:");

test("cli failure – each taxonomy maps to its code, prefix and exit status", () => {
  const cases: Array<[unknown, { code: string; exit: 1 | 2; message: RegExp; usage?: boolean }]> = [
    [
      new UsageError("backup: missing --storage", "usage: felhom backup"),
      { code: "AGENT_USAGE", exit: 2, message: /^backup: missing/, usage: true },
    ],
    [
      new AgentError("AGENT_CONFIG_INVALID", "config: bad"),
      { code: "AGENT_CONFIG_INVALID", exit: 2, message: /^config: bad$/ },
    ],
    [
      new AgentError("AGENT_ROUTING", "no such guest"),
      { code: "AGENT_ROUTING", exit: 1, message: /^no such guest$/ },
    ],
    [
      new PveArgumentError("vmid", "bad"),
      { code: "PVE_INVALID_ARGUMENT", exit: 2, message: /^invalid vmid: bad$/ },
    ],
    [
      new PveTaskFailedError({ upid, exitstatus: "boom", logTail: [] }, "error"),
      { code: "PVE_TASK_FAILED", exit: 1, message: /^PVE: task vzdump 101 failed: boom$/ },
    ],
    [
      new HelperError("HELPER_CLOSED", "connection closed"),
      { code: "HELPER_CLOSED", exit: 1, message: /^root helper: connection closed$/ },
    ],
    [new Error("plain\nline"), { code: "ERROR", exit: 1, message: /^plain\?line$/ }],
    ["a string", { code: "ERROR", exit: 1, message: /^a string$/ }],
  ];
  for (const [err, want] of cases) {
    const f = cliFailure(err);
    assert.equal(f.code, want.code, String(err));
    assert.equal(f.exit, want.exit, String(err));
    assert.match(f.message, want.message);
    assert.equal(f.usage !== undefined, want.usage === true, String(err));
  }
});

test("cli failure – errors of another package copy are recognised by their code", () => {
  // Not instances of this process's classes (as with two installed copies): the code still decides.
  const pve = Object.assign(new Error("invalid vmid: 5"), { code: "PVE_INVALID_ARGUMENT" });
  assert.deepEqual(cliFailure(pve), {
    code: "PVE_INVALID_ARGUMENT",
    message: "invalid vmid: 5",
    exit: 2,
  });
  const helper = Object.assign(new Error("gone"), { code: "HELPER_CLOSED" });
  assert.equal(cliFailure(helper).message, "root helper: gone");
  const agent = Object.assign(new Error("bad config"), {
    code: "AGENT_CONFIG_INVALID",
    exitCode: 2,
  });
  assert.equal(cliFailure(agent).exit, 2);
});
