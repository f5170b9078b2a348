// The systemd units as shipped: `systemd-analyze verify` accepts each with nothing on stderr, the offline
// security scores stay within budget (agent <= 2.0, helper <= 6.0; lower is better), and the node flags of
// both daemons (which the bench reads from these files) are there and accepted by this node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AGENT_NODE_FLAGS, HELPER_NODE_FLAGS, nodeFlagsOfUnit } from "../bench/lib/unit-flags.js";
import { DEFAULT_LIMITS } from "@felhom/root-helper";

const deploy = new URL("../deploy/", import.meta.url).pathname;
const units = ["felhom-agent.service", "felhom-root-helper.socket", "felhom-root-helper.service"];

function haveSystemdAnalyze(): boolean {
  return spawnSync("systemd-analyze", ["--version"]).status === 0;
}

const skip = haveSystemdAnalyze()
  ? false
  : "systemd-analyze is not installed (apt-get install systemd)";

/** Units in a scratch folder, since verify resolves a socket's service next to it. */
function stage(): string {
  const dir = mkdtempSync(join(tmpdir(), "felhom-units-"));
  for (const u of units) copyFileSync(join(deploy, u), join(dir, u));
  return dir;
}

test("units – systemd-analyze verify passes with no output", { skip }, () => {
  const dir = stage();
  try {
    for (const u of units) {
      const r = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, u)], {
        encoding: "utf8",
      });
      assert.equal(r.status, 0, `${u}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), "", `${u} printed warnings:\n${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("units – verify really fails on a broken unit (the check can fail)", { skip }, () => {
  const dir = stage();
  try {
    const bad = join(dir, "felhom-agent.service");
    writeFileSync(
      bad,
      readFileSync(bad, "utf8").replace("ProtectSystem=strict", "ProtectSystem=bogus"),
    );
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", bad], { encoding: "utf8" });
    assert.notEqual(r.stderr.trim(), "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function exposure(unit: string): number {
  const out = execFileSync("systemd-analyze", ["security", "--offline=true", join(deploy, unit)], {
    encoding: "utf8",
  });
  const m = /Overall exposure level for \S+: (\d+\.\d)/.exec(out);
  assert.ok(m, `no score in:\n${out.slice(-500)}`);
  return Number(m[1]);
}

test("units – offline security exposure within budget", { skip }, () => {
  const agent = exposure("felhom-agent.service");
  const helper = exposure("felhom-root-helper.service");
  console.log(
    `# systemd-analyze security: felhom-agent.service ${agent}, felhom-root-helper.service ${helper}`,
  );
  assert.ok(agent <= 2.0, `agent exposure ${agent} > 2.0`);
  assert.ok(helper <= 6.0, `helper exposure ${helper} > 6.0`);
});

test("units – the helper runs jitless under MemoryDenyWriteExecute, the agent keeps its JIT", () => {
  const helper = readFileSync(join(deploy, "felhom-root-helper.service"), "utf8");
  const agent = readFileSync(join(deploy, "felhom-agent.service"), "utf8");
  assert.match(
    helper,
    /^ExecStart=\/usr\/bin\/node --jitless --disallow-code-generation-from-strings /m,
  );
  assert.match(helper, /^MemoryDenyWriteExecute=yes$/m);
  assert.doesNotMatch(agent, /^MemoryDenyWriteExecute=/m);
  assert.match(agent, /^LoadCredential=pve-token:/m);
  assert.match(agent, /^User=felhom$/m);
  const socket = readFileSync(join(deploy, "felhom-root-helper.socket"), "utf8");
  for (const line of ["SocketUser=root", "SocketGroup=felhom", "SocketMode=0660"]) {
    assert.match(socket, new RegExp(`^${line}$`, "m"));
  }
});

test("units – both daemons keep V8's young generation small; the agent compiles WebAssembly with Liftoff only", () => {
  const helper = readFileSync(join(deploy, "felhom-root-helper.service"), "utf8");
  const agent = readFileSync(join(deploy, "felhom-agent.service"), "utf8");
  for (const flag of ["--max-semi-space-size=1", "--optimize-for-size"]) {
    assert.ok(HELPER_NODE_FLAGS.includes(flag), `helper: ${flag} missing`);
    assert.ok(AGENT_NODE_FLAGS.includes(flag), `agent: ${flag} missing`);
  }
  assert.ok(AGENT_NODE_FLAGS.includes("--liftoff-only"));
  assert.ok(AGENT_NODE_FLAGS.includes("--single-threaded"));
  assert.deepEqual(nodeFlagsOfUnit(helper), HELPER_NODE_FLAGS);
  assert.deepEqual(nodeFlagsOfUnit(agent), AGENT_NODE_FLAGS);
  assert.deepEqual(HELPER_NODE_FLAGS.slice(0, 2), [
    "--jitless",
    "--disallow-code-generation-from-strings",
  ]);
  // A node that no longer knows a flag refuses to start ("bad option"): catch that here, not on a host.
  for (const flags of [HELPER_NODE_FLAGS, AGENT_NODE_FLAGS]) {
    const r = spawnSync(process.execPath, [...flags, "-e", "0"], { encoding: "utf8" });
    assert.equal(r.status, 0, `node ${flags.join(" ")}: ${r.stderr}`);
  }
  assert.notEqual(spawnSync(process.execPath, ["--no-such-v8-flag", "-e", "0"]).status, 0);
});

test("units – the bench's flag reader refuses an ExecStart= it cannot read", () => {
  assert.deepEqual(nodeFlagsOfUnit("ExecStart=/usr/bin/node --a --b /x.js --config y\n"), [
    "--a",
    "--b",
  ]);
  assert.throws(() => nodeFlagsOfUnit("ExecStart=/bin/sh -c x\n"), /does not run \/usr\/bin\/node/);
  assert.throws(() => nodeFlagsOfUnit("ExecStart=/usr/bin/node --a\n"), /names no script/);
  assert.throws(() => nodeFlagsOfUnit("[Service]\n"), /one ExecStart= line, found 0/);
});

test("units – a stop waits for the helper's running work; the helper's memory and tasks are bounded", () => {
  const helper = readFileSync(join(deploy, "felhom-root-helper.service"), "utf8");
  // SIGTERM to the helper alone (not to a running pct create), then time for pct to finish.
  assert.match(helper, /^KillMode=mixed$/m);
  const stop = /^TimeoutStopSec=([0-9]+)h$/m.exec(helper);
  assert.ok(stop && Number(stop[1]) * 3_600_000 > DEFAULT_LIMITS.createTimeoutMs, "TimeoutStopSec");
  assert.match(helper, /^MemoryMax=[0-9]+[MG]$/m);
  assert.match(helper, /^TasksMax=[0-9]+$/m);
  assert.match(helper, /^LogRateLimitIntervalSec=0$/m); // the helper bounds its own output
});
