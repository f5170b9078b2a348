// The systemd units as shipped: `systemd-analyze verify` accepts each with nothing on stderr, and the
// offline security scores stay within budget (agent <= 2.0, helper <= 6.0; lower is better).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
