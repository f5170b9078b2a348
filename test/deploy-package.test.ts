// The Debian package's sources stay consistent with what the README tells an admin: the install section is the
// package, the maintainer scripts are valid sh, the agent unit cannot loop before it is configured, and the
// system test is wired to npm and CI without being part of `npm test`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const read = (p: string): string => readFileSync(new URL(`../${p}`, import.meta.url), "utf8");

test("package – the README's install section is the Debian package", () => {
  const readme = read("README.md");
  const install = /## Install on a Proxmox VE host([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
  assert.match(install, /^npm ci && npm run package\b/m);
  assert.match(install, /^apt install \.\/felhom_[^ ]+\.deb$/m);
  assert.match(install, /> \/etc\/felhom\/pve-token\)$/m);
  assert.match(install, /^systemctl restart felhom-agent$/m);
  assert.match(install, /^felhom doctor$/m);
  assert.doesNotMatch(readme, /install\.sh/);
  // The supported Node range is the one the package depends on and the system test proves.
  assert.match(read("deploy/debian/control"), /^Depends: nodejs \(>= 20\.18\),/m);
  assert.match(install, /Debian 13's `nodejs` \(20\.19\.x\)/);
});

test("package – npm scripts and CI run the build and the system test", () => {
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.package, "bash scripts/package/build-deb.sh");
  assert.match(scripts["test:system"] ?? "", /test\/system\/run\.ts$/);
  assert.match(read(".ci/run"), /^CI=true npm run test:system$/m);
  // Not picked up by `npm test` (scripts/run-tests.mjs runs *.test.ts files only).
  const r = spawnSync("find", ["test/system", "-name", "*.test.ts"], {
    cwd: new URL("..", import.meta.url).pathname,
    encoding: "utf8",
  });
  assert.equal(r.stdout.trim(), "");
});

test("package – maintainer scripts are valid sh and the conffile list ships agent.json", () => {
  for (const s of ["postinst", "prerm", "postrm"]) {
    const r = spawnSync("sh", ["-n", new URL(`../deploy/debian/${s}`, import.meta.url).pathname]);
    assert.equal(r.status, 0, `${s}: ${r.stderr.toString()}`);
  }
  assert.match(
    read("scripts/package/build-deb.sh"),
    /^ {2}deploy\/agent\.example\.json:\/etc\/felhom\/agent\.json$/m,
  );
  // A broken script is caught (the check can fail).
  assert.notEqual(spawnSync("sh", ["-n", "-c", "if then fi"]).status, 0);
});

test("package – the agent unit waits for its token and never retries bad input", () => {
  const unit = read("deploy/felhom-agent.service");
  assert.match(unit, /^ConditionPathExists=\/etc\/felhom\/pve-token$/m);
  assert.match(unit, /^LoadCredential=pve-token:\/etc\/felhom\/pve-token$/m);
  assert.match(unit, /^RestartPreventExitStatus=2$/m);
});
