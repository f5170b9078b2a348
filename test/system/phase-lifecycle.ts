// Upgrade to a newer build (the running daemons move to the new code, the admin's config stays), then remove and
// purge, each leaving the system as Debian policy expects.
import { AGENT, HELPER, SOCKET } from "./context.js";
import type { Ctx } from "./context.js";
import { expect } from "./report.js";
import { apt, stageDeb } from "./phase-install.js";

export async function lifecyclePhase(ctx: Ctx, newDeb: string, newVersion: string): Promise<void> {
  const { r } = ctx;
  await r.check(
    `upgrade to ${newVersion}: both running daemons restarted on the new code, config kept`,
    async () => {
      const agentPid = await ctx.activePid(AGENT);
      ctx.sh("felhom smart >/dev/null 2>&1"); // the helper is running when the upgrade starts
      const helperPid = await ctx.activePid(HELPER);
      const conf = ctx.sh("sha256sum /etc/felhom/agent.json /etc/felhom/pve-token").out;
      const t0 = Number(ctx.sh("date +%s").out.trim());
      const a = apt(ctx, `install ${stageDeb(ctx, newDeb)}`);
      if (a.code !== 0) return `apt-get exited ${a.code}: ${a.out.slice(-400)}`;
      const version = ctx.sh("dpkg-query -W -f '${Version}' felhom").out.trim();
      const newAgent = await ctx.activePid(AGENT, agentPid);
      ctx.sh("felhom smart >/dev/null 2>&1");
      const newHelper = await ctx.activePid(HELPER, helperPid);
      // A process started after dpkg unpacked the new files runs the new code.
      const started = (pid: number): number => Number(ctx.sh(`stat -c %Y /proc/${pid}`).out.trim());
      const fresh = started(newAgent) >= t0 && started(newHelper) >= t0;
      const kept = ctx.sh("sha256sum /etc/felhom/agent.json /etc/felhom/pve-token").out === conf;
      const doctor = ctx.sh("felhom doctor >/dev/null 2>&1; echo $?").out.trim();
      const noDist = ctx.sh("ls /etc/felhom").out.includes("dpkg-");
      const ok = version === newVersion && fresh && kept && doctor === "0" && !noDist;
      return expect(
        ok,
        "upgrade incomplete",
        `version ${version} fresh ${fresh} kept ${kept} doctor ${doctor}`,
      );
    },
  );
  await r.check(
    "apt-get remove: daemons and socket stopped, code gone, config and user kept",
    () => {
      const a = apt(ctx, "remove felhom");
      if (a.code !== 0) return `apt-get exited ${a.code}: ${a.out.slice(-400)}`;
      const s = ctx.sh(
        [
          `for u in ${AGENT} ${HELPER} ${SOCKET}; do systemctl is-active $u; done`,
          "pgrep -u felhom >/dev/null && echo felhom-procs",
          "test -e /usr/lib/felhom && echo code-left",
          "test -e /usr/bin/felhom && echo cli-left",
          "test -e /usr/lib/systemd/system/felhom-agent.service && echo unit-left",
          "test -e /run/felhom-helper/helper.sock && echo socket-left",
          "test -f /etc/felhom/agent.json && echo conf-kept",
          "test -f /etc/felhom/pve-token && echo token-kept",
          "getent passwd felhom >/dev/null && echo user-kept",
          "dpkg-query -W -f '${db:Status-Abbrev}' felhom",
          "systemctl --failed --plain --no-legend",
        ].join("; "),
      ).out;
      const stopped = s
        .split("\n")
        .slice(0, 3)
        .every((l) => l === "inactive");
      const gone = !/felhom-procs|code-left|cli-left|unit-left|socket-left|failed/.test(s);
      const kept =
        /conf-kept/.test(s) && /token-kept/.test(s) && /user-kept/.test(s) && /rc/.test(s);
      return expect(stopped && gone && kept, "remove left the wrong things", s);
    },
  );
  await r.check(
    "apt-get purge: config, token, unit state and directories gone (the user stays, sysusers.d(5))",
    () => {
      const a = apt(ctx, "purge felhom");
      if (a.code !== 0) return `apt-get exited ${a.code}: ${a.out.slice(-400)}`;
      const s = ctx.sh(
        [
          "test -e /etc/felhom && echo etc-left",
          "test -e /run/felhom-helper && echo run-left",
          "ls /etc/systemd/system/*.wants 2>/dev/null | grep felhom && echo wants-left",
          "ls /var/lib/systemd/deb-systemd-helper-enabled -R 2>/dev/null | grep felhom && echo state-left",
          "dpkg -s felhom >/dev/null 2>&1 && echo still-known",
          "getent passwd felhom >/dev/null && echo user-kept",
        ].join("; "),
      ).out;
      const gone = !/etc-left|run-left|wants-left|state-left|still-known/.test(s);
      return expect(gone && /user-kept/.test(s), "purge left the wrong things", s);
    },
  );
}
