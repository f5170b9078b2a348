// The Debian 13 root the system test boots: made once with debootstrap and cached under /var/cache, keyed by
// everything that goes into it (suite, variant, packages, mirror), so a warm run skips the 1–7 minutes.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const SUITE = "trixie";
const VARIANT = "minbase";
/** What a stock PVE 9 host has that felhom needs, plus what the test drives it with. */
const INCLUDE = [
  "systemd",
  "systemd-sysv",
  "dbus",
  "nodejs",
  "adduser",
  "passwd",
  "util-linux",
  "mount",
  "procps",
  "smartmontools",
  "lm-sensors",
];
/** Bump when the recipe changes in a way the inputs above do not show. */
const RECIPE = 1;
const CACHE = process.env.FELHOM_SYSTEST_CACHE ?? "/var/cache/felhom-system-test";

/** The Debian mirror this machine's apt uses (deb822 .sources or one-line .list), never hard-coded. */
export function debianMirror(): string | undefined {
  if (process.env.FELHOM_DEBIAN_MIRROR) return process.env.FELHOM_DEBIAN_MIRROR;
  const dirs = ["/etc/apt/sources.list.d", "/etc/apt"];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(sources|list)$/.test(name)) continue;
      const text = readFileSync(join(dir, name), "utf8");
      const uris = [
        ...text.matchAll(/^URIs:\s*(\S+)/gm),
        ...text.matchAll(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/gm),
      ].map((m) => m[1] ?? "");
      const mirror = uris.find((u) => /^https?:\/\/.+\/debian\/?$/.test(u));
      if (mirror) return mirror.replace(/\/$/, "");
    }
  }
  return undefined;
}

export interface RootFs {
  /** The cached root directory (never booted itself: each run boots a copy). */
  dir: string;
  /** True when this call had to run debootstrap. */
  built: boolean;
}

/** Returns the cached root, building it first if needed. Throws with debootstrap's tail when that fails. */
export function debianRoot(log: (line: string) => void): RootFs {
  const mirror = debianMirror();
  if (!mirror)
    throw new Error("no Debian mirror in /etc/apt/sources.list.d (set FELHOM_DEBIAN_MIRROR)");
  const key = createHash("sha256")
    .update(JSON.stringify({ SUITE, VARIANT, INCLUDE, mirror, RECIPE }))
    .digest("hex")
    .slice(0, 16);
  const dir = join(CACHE, `${SUITE}-${key}`);
  if (existsSync(join(dir, "usr/bin/node")) && existsSync(join(dir, ".felhom-complete"))) {
    return { dir, built: false };
  }
  mkdirSync(CACHE, { recursive: true });
  const tmp = join(CACHE, `.build-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  log(`debootstrap ${SUITE} (${VARIANT}) from ${mirror} into ${dir} (1–7 minutes)`);
  const r = spawnSync(
    "debootstrap",
    [`--variant=${VARIANT}`, `--include=${INCLUDE.join(",")}`, SUITE, tmp, mirror],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-5).join(" | ");
    throw new Error(`debootstrap failed (${r.status ?? r.signal}): ${tail}`);
  }
  // Downloaded .debs are not needed to boot; the marker says the tree is whole.
  rmSync(join(tmp, "var/cache/apt/archives"), { recursive: true, force: true });
  mkdirSync(join(tmp, "var/cache/apt/archives/partial"), { recursive: true });
  spawnSync("touch", [join(tmp, ".felhom-complete")]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, built: true };
}
