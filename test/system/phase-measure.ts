// The figures issue 13 asks for, measured on the running system: RSS of both daemons (idle, after 100 snapshot
// cycles), the helper's cold start under socket activation, CLI timings as root, and the JavaScript files and
// lines the root process loads (V8 coverage of the helper run by its real unit).
import { until } from "./container.js";
import { AGENT, HELPER } from "./context.js";
import type { Ctx } from "./context.js";
import { expect, median } from "./report.js";

const COV = "/run/felhom-cov";
const DROPIN = "/run/systemd/system/felhom-root-helper.service.d/coverage.conf";

/** Sets snapshot.intervalSeconds in agent.json (the admin's edit) and restarts the agent; returns its new PID. */
export async function setInterval(ctx: Ctx, seconds: number): Promise<number> {
  const old = ctx.mainPid(AGENT);
  ctx.sh(
    `sed -i 's/"intervalSeconds": [0-9.]*/"intervalSeconds": ${seconds}/' /etc/felhom/agent.json`,
  );
  ctx.sh("systemctl restart felhom-agent");
  return ctx.activePid(AGENT, old);
}

function cycles(ctx: Ctx, pid: number): number {
  const lines = ctx
    .journal(AGENT)
    .split("\n")
    .filter((l) => l.includes(`"pid":${pid},`));
  let max = 0;
  for (const l of lines) {
    const m = /"cycle":(\d+)/.exec(l);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

export async function measurePhase(ctx: Ctx): Promise<void> {
  const { r } = ctx;
  await r.check(
    "RSS of both daemons under systemd, idle and after 100 snapshot cycles (0.1 s)",
    async () => {
      const agentPid = await ctx.activePid(AGENT);
      const helperPid = await ctx.activePid(HELPER);
      await until("the agent's first cycle", () => (cycles(ctx, agentPid) >= 1 ? true : undefined));
      const idle = [ctx.rssKiB(agentPid), ctx.rssKiB(helperPid)];
      const fast = await setInterval(ctx, 0.1);
      await until("100 snapshot cycles", () => (cycles(ctx, fast) >= 100 ? true : undefined), {
        tries: 600,
        everyMs: 500,
      });
      const busy = [ctx.rssKiB(fast), ctx.rssKiB(ctx.mainPid(HELPER))];
      const mb = (k: number | undefined): string => `${((k ?? 0) / 1024).toFixed(1)} MB`;
      r.figure("RSS idle", `agent ${mb(idle[0])}, helper ${mb(idle[1])}`);
      r.figure("RSS after 100 snapshot cycles", `agent ${mb(busy[0])}, helper ${mb(busy[1])}`);
      await setInterval(ctx, 2);
      return expect(busy.every((k) => k > 0) && idle.every((k) => k > 0), "no RSS", busy.join(" "));
    },
  );
  await r.check("helper cold start under socket activation (stopped, then one call)", async () => {
    const cold: number[] = [];
    const warm: number[] = [];
    const ready: number[] = [];
    // The agent re-connects to a stopped helper at once (and so re-activates it): stop it for the measurement.
    ctx.sh(`systemctl stop ${AGENT}`);
    const restart = (): void => void ctx.sh(`systemctl start ${AGENT}`);
    try {
      for (let i = 0; i < 3; i++) {
        ctx.sh(`systemctl stop ${HELPER} 2>/dev/null`);
        await until("the helper stopped", () =>
          ctx.active(HELPER) !== "active" ? true : undefined,
        );
        const since = ctx.sh("date +%s.%N").out.trim();
        const c = ctx.timeMs("felhom sensors");
        const w = ctx.timeMs("felhom sensors");
        cold.push(c.ms);
        warm.push(w.ms);
        // From systemd starting the process to its "serving" line, by the journal's own timestamps.
        const j = ctx
          .sh(`journalctl -q -o short-unix --no-pager -u ${HELPER} --since @${Number(since) - 5}`)
          .out.split("\n");
        const at = (l: string | undefined): number => Number(l?.split(" ")[0] ?? "NaN");
        const serving = j.findIndex((l) => /serving uid/.test(l) && at(l) >= Number(since) - 1);
        const start = j
          .slice(0, Math.max(serving, 0))
          .findLastIndex((l) => /Starting felhom-root-helper/.test(l));
        ready.push((at(j[serving]) - at(j[start])) * 1000);
      }
    } finally {
      restart();
    }
    await ctx.activePid(AGENT, 0);
    r.figure(
      "helper cold start",
      `exec to serving ${median(ready).toFixed(0)} ms; felhom sensors as root cold ${median(cold).toFixed(0)} ms vs warm ${median(warm).toFixed(0)} ms (medians of 3)`,
    );
    return expect(
      ready.every((x) => x > 0),
      "no timing",
      ready.join(" "),
    );
  });
  await r.check("felhom status and felhom doctor as root, median of 10 runs", () => {
    const runs = (cmd: string): number[] => Array.from({ length: 10 }, () => ctx.timeMs(cmd).ms);
    const status = runs("felhom status");
    const doctor = runs("felhom doctor");
    r.figure("felhom status as root", `${median(status).toFixed(0)} ms (median of 10)`);
    r.figure("felhom doctor as root", `${median(doctor).toFixed(0)} ms (median of 10)`);
    return true;
  });
  await r.check("JavaScript the root process loads (V8 coverage under its real unit)", () => {
    ctx.sh(
      `mkdir -p ${DROPIN.replace(/\/[^/]+$/, "")} && printf '[Service]\\nEnvironment=NODE_V8_COVERAGE=${COV}\\n' > ${DROPIN}`,
    );
    ctx.sh(`systemctl daemon-reload && systemctl stop ${HELPER} 2>/dev/null; rm -rf ${COV}`);
    ctx.sh("felhom smart >/dev/null 2>&1; felhom doctor >/dev/null 2>&1");
    ctx.sh(`systemctl stop ${HELPER} 2>/dev/null`);
    const files = ctx
      .sh(
        `cat ${COV}/coverage-*.json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{` +
          `for(const r of JSON.parse(s).result)if(r.url.startsWith("file://"))console.log(new URL(r.url).pathname)})'`,
      )
      .out.trim()
      .split("\n")
      .filter(Boolean);
    const lines = files.length ? Number(ctx.sh(`cat ${files.join(" ")} | wc -l`).out.trim()) : 0;
    const deps = files.filter((f) => f.includes("/node_modules/")).length;
    r.figure(
      "root process loads",
      `${files.length} JS files (${deps} from node_modules), ${lines} lines`,
    );
    ctx.sh(
      `rm -f ${DROPIN}; systemctl daemon-reload; systemctl stop ${HELPER} 2>/dev/null; rm -rf ${COV}`,
    );
    return expect(
      files.some((f) => f.endsWith("root-helper/dist/main.js")),
      "no coverage",
      files.join(" "),
    );
  });
}
