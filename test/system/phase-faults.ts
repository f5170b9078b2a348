// Kill -9 under real systemd: the helper in the middle of a stream of calls, then the agent. Both must come back
// by themselves and serve; the config, the token and the snapshot must survive (nothing lost).
import { until } from "./container.js";
import { AGENT, HELPER } from "./context.js";
import type { Ctx } from "./context.js";
import { expect } from "./report.js";
import { auditCount } from "./phase-serve.js";

const CALLS = 8;

export async function faultsPhase(ctx: Ctx): Promise<void> {
  const { r } = ctx;
  const confBefore = ctx.sh("sha256sum /etc/felhom/agent.json /etc/felhom/pve-token").out;
  await r.check(
    "systemctl kill -s KILL of the helper during calls: back by socket activation, serving",
    async () => {
      const helperPid = await ctx.activePid(HELPER);
      const agentPid = ctx.mainPid(AGENT);
      const before = auditCount(ctx, "helper.hello", "0");
      // A stream of CLI calls that each ask the helper (doctor's helper.hello as root); each prints its exit code.
      const stream = ctx.c.shAsync(
        `i=0; while [ $i -lt ${CALLS} ]; do felhom doctor >/dev/null 2>&1; echo "call $i $?"; i=$((i + 1)); done`,
      );
      await until("the first call of the stream at the helper", () =>
        auditCount(ctx, "helper.hello", "0") > before ? true : undefined,
      );
      const kill = ctx.sh(`systemctl kill -s KILL ${HELPER}`);
      const done = await stream;
      const newPid = await ctx.activePid(HELPER, helperPid);
      const codes = done.out
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[2]);
      const failed = codes.filter((c) => c !== "0").length;
      const last = codes[codes.length - 1];
      // The call the kill hit may fail (its connection died); every later one must succeed, and the agent, whose
      // own link to the helper died too, must still be the same running process.
      const ok = kill.code === 0 && codes.length === CALLS && failed <= 1 && last === "0";
      const agentSame = ctx.mainPid(AGENT) === agentPid && ctx.active(AGENT) === "active";
      return expect(
        ok && agentSame && newPid !== helperPid,
        "not back",
        `${failed} failed; ${done.out}${kill.err}`,
      );
    },
  );
  await r.check(
    "after the helper's kill the agent's next snapshot reaches the new helper",
    async () => {
      const uid = ctx.sh("id -u felhom").out.trim();
      const calls = auditCount(ctx, "hw.sensors", uid);
      await until("a snapshot call from the agent", () =>
        auditCount(ctx, "hw.sensors", uid) > calls ? true : undefined,
      );
      return true;
    },
  );
  await r.check(
    "systemctl kill -s KILL of the agent: restarted by systemd, serving, nothing lost",
    async () => {
      const pid = await ctx.activePid(AGENT);
      const kill = ctx.sh(`systemctl kill -s KILL ${AGENT}`);
      const newPid = await ctx.activePid(AGENT, pid, 240);
      await until("the restarted agent's ready line", () =>
        ctx
          .journal(AGENT)
          .split("\n")
          .some((l) => l.includes(`"pid":${newPid},`) && l.includes("felhom-agent ready"))
          ? true
          : undefined,
      );
      const confAfter = ctx.sh("sha256sum /etc/felhom/agent.json /etc/felhom/pve-token").out;
      const state = ctx.sh("ls -A /run/felhom; felhom doctor >/dev/null 2>&1; echo doctor=$?").out;
      const ok = kill.code === 0 && confAfter === confBefore && state.includes("doctor=0");
      return expect(ok && !/\.tmp/.test(state), "lost something", `${state}${kill.err}`);
    },
  );
  await r.check(
    "systemd-analyze security (online) within budget: agent ≤ 2.0, helper ≤ 6.0",
    () => {
      const score = (unit: string): number => {
        const out = ctx.sh(`systemd-analyze security --no-pager ${unit}`).out;
        const m = /Overall exposure level for \S+: ([0-9.]+)/.exec(out);
        return m ? Number(m[1]) : Number.NaN;
      };
      const [a, h] = [score(AGENT), score(HELPER)];
      r.figure("systemd-analyze security (online)", `agent ${a}, helper ${h}`);
      return expect(a <= 2.0 && h <= 6.0, "over budget", `agent ${a} helper ${h}`);
    },
  );
}
