// deploy/install.sh into a staging root: files, owners and modes as documented, a second run changes
// nothing, and --uninstall removes exactly what was installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("..", import.meta.url).pathname;
const isRoot = process.getuid?.() === 0;
const haveTools = spawnSync("systemd-sysusers", ["--version"]).status === 0;
const built =
  existsSync(join(repo, "packages/agent/dist/daemon.js")) &&
  existsSync(join(repo, "packages/root-helper/dist/main.js"));
const skip = !isRoot
  ? "install.sh installs root-owned files: run as root"
  : !haveTools
    ? "systemd-sysusers is not installed (apt-get install systemd)"
    : !built
      ? "packages are not built (npm run build)"
      : false;

/** path -> "type mode uid gid digest" for every entry below dir. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = join(rel, name);
      const st = lstatSync(join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.set(r + "/", `d ${mode} ${st.uid} ${st.gid}`);
        walk(r);
      } else if (st.isSymbolicLink()) {
        out.set(r, `l ${st.uid}`);
      } else {
        const digest = createHash("sha256")
          .update(readFileSync(join(dir, r)))
          .digest("hex")
          .slice(0, 16);
        out.set(r, `f ${mode} ${st.uid} ${st.gid} ${digest} ${st.mtimeMs}`);
      }
    }
  };
  walk("");
  return out;
}

function install(root: string, ...args: string[]) {
  return spawnSync(
    "bash",
    [join(repo, "deploy/install.sh"), "--root", root, "--from", repo, ...args],
    {
      encoding: "utf8",
    },
  );
}

test("install.sh – staging install, idempotence and exact uninstall", { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), "felhom-stage-"));
  const tokenFile = join(root, "..", `${root.split("/").pop()}-token`);
  writeFileSync(tokenFile, "00000000-1111-2222-3333-444444444444\n", { mode: 0o600 });
  try {
    const first = install(root, "--token-file", tokenFile);
    assert.equal(first.status, 0, first.stderr);
    const group = readFileSync(join(root, "etc/group"), "utf8");
    const gid = Number(/^felhom:x:(\d+):/m.exec(group)?.[1]);
    assert.ok(gid > 0, "the felhom group exists in the staging root");
    assert.match(
      readFileSync(join(root, "etc/passwd"), "utf8"),
      /^felhom:x:\d+:\d+:.*:\/usr\/sbin\/nologin$/m,
    );

    const expect: Array<[string, number, number, number]> = [
      ["usr/lib/felhom/packages/agent/dist/daemon.js", 0o644, 0, 0],
      ["usr/lib/felhom/packages/agent/dist/cli.js", 0o644, 0, 0],
      ["usr/lib/felhom/packages/root-helper/dist/main.js", 0o644, 0, 0],
      ["usr/lib/felhom/node_modules/zod/package.json", 0o644, 0, 0],
      ["usr/lib/felhom/node_modules/undici/package.json", 0o644, 0, 0],
      ["usr/lib/felhom/node_modules/vscode-jsonrpc/package.json", 0o644, 0, 0],
      ["usr/lib/felhom/node_modules/pino/package.json", 0o644, 0, 0],
      ["usr/bin/felhom", 0o755, 0, 0],
      ["etc/systemd/system/felhom-agent.service", 0o644, 0, 0],
      ["etc/systemd/system/felhom-root-helper.service", 0o644, 0, 0],
      ["etc/systemd/system/felhom-root-helper.socket", 0o644, 0, 0],
      ["usr/lib/sysusers.d/felhom.conf", 0o644, 0, 0],
      ["usr/lib/tmpfiles.d/felhom.conf", 0o644, 0, 0],
      ["etc/felhom", 0o750, 0, gid],
      ["etc/felhom/agent.json", 0o640, 0, gid],
      ["etc/felhom/pve-token", 0o600, 0, 0],
    ];
    for (const [path, mode, uid, g] of expect) {
      const st = lstatSync(join(root, path));
      assert.equal((st.mode & 0o7777).toString(8), mode.toString(8), `${path} mode`);
      assert.equal(st.uid, uid, `${path} owner`);
      assert.equal(st.gid, g, `${path} group`);
    }
    // Nothing of the simulator, the tests or the dev tools is installed.
    const all = [...snapshot(root).keys()];
    assert.ok(!all.some((p) => p.includes("packages/pve-sim/")), "the simulator is not installed");
    for (const dev of [
      "typescript",
      "tsx",
      "eslint",
      "execa",
      "fast-check",
      "proxmox-api",
      "esbuild",
    ]) {
      const dir = `usr/lib/felhom/node_modules/${dev}/`;
      assert.ok(!all.some((p) => p.startsWith(dir)), `${dev} must not be installed`);
    }
    const ours = /^usr\/lib\/felhom\/packages\/[^/]+\/(test|src)\//;
    assert.ok(!all.some((p) => ours.test(p)), "no tests or sources of our packages are installed");
    // Units are enabled in the staging tree.
    assert.ok(
      lstatSync(
        join(root, "etc/systemd/system/sockets.target.wants/felhom-root-helper.socket"),
      ).isSymbolicLink(),
    );
    assert.ok(
      lstatSync(
        join(root, "etc/systemd/system/multi-user.target.wants/felhom-agent.service"),
      ).isSymbolicLink(),
    );
    // The installed agent starts far enough to parse its arguments from the staged tree.
    const help = spawnSync(
      process.execPath,
      [join(root, "usr/lib/felhom/packages/agent/dist/cli.js"), "--help"],
      {
        encoding: "utf8",
      },
    );
    assert.equal(help.status, 0, help.stderr);

    const before = snapshot(root);
    const second = install(root, "--token-file", tokenFile);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /nothing to change/);
    assert.deepEqual(snapshot(root), before, "a second run changes nothing");

    const un = spawnSync("bash", [join(repo, "deploy/install.sh"), "--root", root, "--uninstall"], {
      encoding: "utf8",
    });
    assert.equal(un.status, 0, un.stderr);
    const left = [...snapshot(root).keys()].filter((p) => p.includes("felhom"));
    assert.deepEqual(left, [], "uninstall leaves nothing of felhom behind");
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(tokenFile, { force: true });
  }
});
