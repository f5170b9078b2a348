// Install from the local .deb with apt-get, then configure exactly as the README's install section says, with the
// simulator standing in for the host's pveproxy on 127.0.0.1:8006.
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { until } from "./container.js";
import { AGENT, HELPER, SOCKET } from "./context.js";
import type { Ctx } from "./context.js";
import { expect } from "./report.js";

export const TEST_DIR = "/opt/felhom-test";
const APT = "DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0";

/** Puts a .deb into the container; returns its path inside. */
export function stageDeb(ctx: Ctx, deb: string): string {
  mkdirSync(join(ctx.c.root, TEST_DIR), { recursive: true });
  copyFileSync(deb, join(ctx.c.root, TEST_DIR, basename(deb)));
  return `${TEST_DIR}/${basename(deb)}`;
}

export function apt(ctx: Ctx, args: string): { code: number; out: string } {
  const r = ctx.sh(`${APT} ${args} 2>&1`, 300_000);
  return { code: r.code, out: r.out };
}

export async function installPhase(ctx: Ctx, deb: string, repo: string): Promise<void> {
  const { r } = ctx;
  const inside = stageDeb(ctx, deb);
  await r.check("apt-get install ./felhom_….deb from the local file (no network)", () => {
    const a = apt(ctx, `install ${inside}`);
    return expect(a.code === 0, `apt-get exited ${a.code}`, a.out);
  });
  await r.check("the felhom system user and group exist (sysusers.d), with no login", () => {
    const p = ctx.sh("getent passwd felhom").out.trim().split(":");
    return expect(
      Number(p[2]) < 1000 && p[6] === "/usr/sbin/nologin",
      "not a system user",
      p.join(":"),
    );
  });
  await r.check(
    "/etc/felhom is root:felhom 0750 and agent.json is there (tmpfiles.d, conffile)",
    () => {
      const st = ctx.sh(
        "stat -c '%U:%G %a' /etc/felhom; test -f /etc/felhom/agent.json && echo conf",
      ).out;
      return expect(st.includes("root:felhom 750") && st.includes("conf"), "wrong", st);
    },
  );
  await r.check(
    "after install: socket listening, helper not started, agent waiting calmly (no loop)",
    async () => {
      // Give PID 1 time to act on anything pending; the states must hold, not merely appear.
      await until("the socket", () => (ctx.active(SOCKET) === "active" ? true : undefined), {
        tries: 60,
      });
      const s = [
        ctx.active(SOCKET),
        ctx.active(HELPER),
        ctx.active(AGENT),
        ctx.prop(AGENT, "ConditionResult"),
        ctx.prop(AGENT, "NRestarts"),
        ctx.sh("systemctl --failed --plain --no-legend").out.trim(),
      ];
      const ok = s[0] === "active" && s[1] === "inactive" && s[2] === "inactive" && s[3] === "no";
      return expect(ok && s[4] === "0" && s[5] === "", "unexpected states", s.join(" | "));
    },
  );

  // The simulator, copied in for the test only (not part of the package), as a transient unit.
  const sim = join(ctx.c.root, TEST_DIR, "sim");
  mkdirSync(join(sim, "packages/pve-sim"), { recursive: true });
  for (const part of ["package.json", "dist", "api-schema"])
    cpSync(join(repo, "packages/pve-sim", part), join(sim, "packages/pve-sim", part), {
      recursive: true,
    });
  // Its dependencies, read from its package.json (none of them has dependencies of its own): our workspace
  // packages (built) and npm's.
  const simPackage = JSON.parse(
    readFileSync(join(repo, "packages/pve-sim/package.json"), "utf8"),
  ) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(simPackage.dependencies ?? {})) {
    const own = dep.startsWith("@felhom/") ? join(repo, "packages", dep.slice(8)) : undefined;
    for (const part of own ? ["package.json", "dist"] : [""])
      cpSync(
        join(own ?? join(repo, "node_modules", dep), part),
        join(sim, "node_modules", dep, part),
        {
          recursive: true,
        },
      );
  }
  writeFileSync(join(sim, "package.json"), '{ "type": "module" }\n');
  await r.check(
    "the PVE simulator serves https://127.0.0.1:8006 inside the container",
    async () => {
      const run = ctx.sh(
        `systemd-run -q --unit=pve-sim -p Type=exec /usr/bin/node ${TEST_DIR}/sim/packages/pve-sim/dist/cli.js --json --port 8006`,
      );
      if (run.code !== 0) return `systemd-run: ${run.err}`;
      ctx.sim = await until("the simulator's JSON line", () => {
        const line = ctx
          .journal("pve-sim.service")
          .split("\n")
          .find((l) => l.startsWith("{"));
        if (!line) return undefined;
        const j = JSON.parse(line) as { fingerprint: string; token: string; node: string };
        return { fingerprint: j.fingerprint, token: j.token, node: j.node };
      });
      return true;
    },
  );
  const sim2 = ctx.sim;
  if (!sim2) return;

  // The README's steps: the token secret as a root-only file, then fingerprint, node (and here the token id the
  // simulator issued) into agent.json, then restart the agent and run felhom doctor.
  const [tokenId, secret] = sim2.token.split("=") as [string, string];
  await r.check(
    "configured as the README says: token 0600, agent.json edited, systemctl restart",
    () => {
      const cfg = ctx.sh(
        [
          `(umask 077; printf '%s\\n' '${secret}' > /etc/felhom/pve-token)`,
          `sed -i -e 's/"fingerprint256": "[^"]*"/"fingerprint256": "${sim2.fingerprint}"/'` +
            ` -e 's/"node": "[^"]*"/"node": "${sim2.node}"/' -e 's/"tokenId": "[^"]*"/"tokenId": "${tokenId}"/'` +
            " /etc/felhom/agent.json",
          "systemctl restart felhom-agent",
          "stat -c '%U:%G %a' /etc/felhom/pve-token",
        ].join(" && "),
      );
      return expect(
        cfg.code === 0 && cfg.out.trim() === "root:root 600",
        "configuring failed",
        cfg.out + cfg.err,
      );
    },
  );
}
