// `npm run test:system`: builds the .deb (and a newer one for the upgrade), boots a real Debian 13 with systemd as
// PID 1 in systemd-nspawn, installs, configures and drives felhom there as an admin would, and prints one line per
// check and `N passed, N failed`. Outside CI it skips (exit 0) with the reason when nspawn cannot run; in CI
// (CI=true) that is a failure.
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { Container } from "./container.js";
import { Ctx } from "./context.js";
import { faultsPhase } from "./phase-faults.js";
import { installPhase } from "./phase-install.js";
import { lifecyclePhase } from "./phase-lifecycle.js";
import { measurePhase } from "./phase-measure.js";
import { servePhase } from "./phase-serve.js";
import { Report, expect } from "./report.js";
import { debianRoot } from "./rootfs.js";

const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const inCi = process.env.CI === "true";
const started = performance.now();
const log = (line: string): void => console.log(`system: ${line}`);

function skip(reason: string): never {
  if (inCi) {
    console.log(`FAIL system test cannot run in CI: ${reason}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  console.log(`SKIP system test: ${reason}`);
  process.exit(0);
}

function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

if (process.getuid?.() !== 0) skip("needs root (debootstrap, systemd-nspawn, nsenter)");
for (const tool of ["debootstrap", "systemd-nspawn", "nsenter", "dpkg-deb", "dpkg-shlibdeps"])
  if (!have(tool))
    skip(`${tool} is not installed (apt-get install debootstrap systemd-container dpkg-dev)`);

/** Runs `npm run package` and returns the .deb path (its last output line). */
function buildDeb(env: Record<string, string>): string {
  const r = spawnSync("npm", ["run", "--silent", "package"], {
    cwd: repo,
    env: { ...process.env, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.endsWith(".deb")) {
    console.log(`FAIL npm run package: ${r.stderr.trim().split("\n").slice(-10).join(" | ")}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  return last;
}

const report = new Report();
const base = JSON.parse(
  spawnSync("node", ["-p", "JSON.stringify(require('./packages/agent/package.json').version)"], {
    cwd: repo,
    encoding: "utf8",
  }).stdout,
) as string;
const upVersion = `${base}+systest1`;
log(`building felhom ${upVersion} (upgrade target), then ${base}`);
const upDeb = buildDeb({
  FELHOM_DEB_VERSION: upVersion,
  FELHOM_DEB_OUT: `${repo}/dist-deb/upgrade`,
});
const deb = buildDeb({});
const debKiB = Math.round(statSync(deb).size / 1024);
const installedKiB = spawnSync("dpkg-deb", ["-f", deb, "Installed-Size"], {
  encoding: "utf8",
}).stdout.trim();
report.figure("package", `${deb.split("/").pop()} ${debKiB} KiB, installed ${installedKiB} KiB`);

if (have("lintian")) {
  await report.check("lintian: no error and no warning on the .deb", () => {
    const l = spawnSync("lintian", ["--allow-root", deb], { encoding: "utf8" });
    const bad = `${l.stdout}`.split("\n").filter((x) => /^[EW]: /.test(x));
    return expect(bad.length === 0, `${bad.length} tags`, bad.join(" | "));
  });
} else log("lintian is not installed: not checked here (.ci/run installs it)");

let rootDir: string;
try {
  const fs = debianRoot(log);
  rootDir = fs.dir;
  log(`Debian 13 root ${fs.built ? "built" : "from cache"}: ${fs.dir}`);
} catch (err) {
  skip(`cannot make the Debian 13 root: ${err instanceof Error ? err.message : String(err)}`);
}

const c = new Container(rootDir);
const ctx = new Ctx(c, report);
try {
  try {
    const state = await c.boot();
    log(
      `booted (${state}): ${c.sh("systemctl --version | head -1; node --version").out.replace(/\n/g, ", ")}`,
    );
  } catch (err) {
    await c.destroy();
    skip(
      `systemd-nspawn cannot boot the container here: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  await installPhase(ctx, deb, repo);
  if (ctx.sim) {
    await servePhase(ctx);
    await measurePhase(ctx);
    await faultsPhase(ctx);
  }
  await lifecyclePhase(ctx, upDeb, upVersion);
} finally {
  await c.destroy();
}
report.figure("system test duration", `${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(report.close());
