// The daemon at trace level under faults: the compiled felhom-agent against the simulator (faults switched on
// once it is ready) and the compiled root helper, snapshotting twice a second, then CLI commands at trace level
// (API and helper ones). Every log line, the state file after each cycle, the CLI's output and the helper's
// audit lines are scanned for the token secret; the state file must always be whole JSON, and SIGTERM must
// end the daemon cleanly.
import { BUILT } from "@felhom/test-support";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { mib, peakRssOf, pct, rssOf } from "../lib/memory.js";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { SecretScan } from "../lib/secret-scan.js";
import { REQUEST_FAULTS } from "../client/faults.js";
import { startRemoteSim } from "../client/sim-remote.js";
import { startHelperProcess } from "../helper/helper-process.js";

export const DAEMON_SECONDS: Readonly<Record<Profile, number>> = { test: 4, quick: 20, full: 90 };
/** Rounds of CLI commands at trace level, run while the faults are still on. */
export const CLI_ROUNDS: Readonly<Record<Profile, number>> = { test: 1, quick: 3, full: 10 };
const { daemon: DAEMON, cli: CLI } = BUILT;

/** One CLI run; resolves with its exit code and output. */
function cli(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: "/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

export async function runDaemonSoak(opts: {
  profile: Profile;
  seconds?: number;
}): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "daemon-secrets",
    "Agent daemon at trace level under faults: logs, state file and helper scanned for the secret",
    opts.profile,
  );
  if (!existsSync(DAEMON)) return rb.done("the agent is not built (npm run build)");
  const seconds = opts.seconds ?? DAEMON_SECONDS[opts.profile];
  const dir = await mkdtemp(join(tmpdir(), "soak-daemon-"));
  const sim = await startRemoteSim({
    sim: { seed: 11, taskDurationMs: 40, earlyNoSuchTaskMs: 25, tokenSecret: randomUUID() },
    faults: [...REQUEST_FAULTS],
  });
  const scan = new SecretScan(sim.token.secret);
  const helper = await startHelperProcess({ scan });
  try {
    const stateFile = join(dir, "state.json");
    const config = {
      pve: {
        url: sim.url,
        node: sim.node,
        tokenId: sim.token.id,
        tls: { fingerprint256: sim.fingerprint256 },
      },
      helper: { socket: helper.socket },
      snapshot: { intervalSeconds: 0.5, stateFile, disks: ["/dev/sda", "/dev/sdb"] },
      log: { level: "trace" },
    };
    await writeFile(join(dir, "agent.json"), JSON.stringify(config));
    await writeFile(join(dir, "token"), `${sim.token.value}\n`, { mode: 0o600 });
    const child = spawn(
      process.execPath,
      [DAEMON, "--config", join(dir, "agent.json"), "--token-file", join(dir, "token")],
      {
        cwd: dir,
        env: { PATH: "/usr/bin:/bin" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    let snapshots = 0;
    let ready = false;
    let stderr = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      scan.scan("daemon stdout (pino, level trace)", line);
      if (line.includes("felhom-agent ready")) ready = true;
      if (line.includes('"msg":"snapshot:')) snapshots++;
    });
    child.stderr.on("data", (c: Buffer) => {
      scan.scan("daemon stderr", c.toString());
      stderr = (stderr + c.toString()).slice(-2000);
    });
    for (let i = 0; i < 200 && !ready && child.exitCode === null; i++) await sleep(50);
    rb.check(
      "the daemon started (TLS pin, token, privileges, helper hello) before faults were switched on",
      ready,
      ready ? "ready" : `not ready: ${stderr}`,
    );
    await sim.installFaults();
    const t0 = performance.now();
    const broken: string[] = [];
    const rss: number[] = [];
    let reads = 0;
    while (performance.now() - t0 < seconds * 1000 && child.exitCode === null) {
      await sleep(250);
      rss.push(rssOf(child.pid ?? -1) ?? 0);
      if (!existsSync(stateFile)) continue;
      const text = readFileSync(stateFile, "utf8");
      reads++;
      scan.scan("state file", text);
      try {
        const doc = JSON.parse(text) as { format?: unknown };
        if (doc.format !== 1) broken.push(`format ${String(doc.format)}`);
      } catch {
        broken.push(`read ${reads}: not whole JSON (${text.length} bytes)`);
      }
    }
    const peak = peakRssOf(child.pid ?? -1) ?? 0;
    // The CLI at trace level, API and helper commands, while the faults are still on.
    const files = [
      "--config",
      join(dir, "agent.json"),
      "--token-file",
      join(dir, "token"),
      "--log-level",
      "trace",
    ];
    const exits = new Map<string, number>();
    const badExits: string[] = [];
    for (let r = 0; r < CLI_ROUNDS[opts.profile]; r++) {
      for (const cmd of [
        ["status"],
        ["--json", "guests"],
        ["sensors"],
        ["smart", "/dev/sda"],
        ["snapshot", "101", `soak${r}`, "--kind", "lxc", "--timeout", "30"],
        ["--json", "tasks"],
      ]) {
        const ran = await cli([...files, ...cmd], dir);
        scan.scan("CLI stdout (level trace)", ran.out);
        scan.scan("CLI stderr (level trace)", ran.err);
        const key = `${cmd.find((a) => !a.startsWith("-")) ?? cmd[0]} → ${String(ran.code)}`;
        exits.set(key, (exits.get(key) ?? 0) + 1);
        if (ran.code !== 0 && ran.code !== 1)
          badExits.push(`${cmd.join(" ")}: exit ${String(ran.code)}: ${ran.err.slice(-200)}`);
      }
    }
    child.kill("SIGTERM");
    const code = await Promise.race([
      exited,
      sleep(10_000, null, { ref: false }).then(() => "still running"),
    ]);
    if (code === "still running") child.kill("SIGKILL");
    await sleep(100);
    const half = rss.slice(Math.floor(rss.length / 2)).filter((x) => x > 0);
    const growth = pct(Math.max(...half) - (half[0] ?? 0), half[0] ?? 1);
    rb.figure("seconds under faults", seconds);
    rb.figure("snapshot cycles logged", snapshots);
    rb.figure("state file reads (each parsed and scanned)", reads);
    rb.figure(
      "daemon RSS middle / end / peak",
      `${mib(half[0] ?? 0)} / ${mib(half[half.length - 1] ?? 0)} / ${mib(peak)} MiB (${growth} % over the second half)`,
    );
    rb.figure(
      "secret scan",
      scan.tallies.map((t) => `${t.surface}: ${t.items} items, ${mib(t.bytes)} MiB`).join("; "),
    );
    rb.check(
      "the daemon kept snapshotting under faults and every state file read was whole JSON",
      snapshots >= seconds && broken.length === 0,
      `${snapshots} cycles, ${reads} reads`,
      broken,
    );
    rb.check("SIGTERM ended the daemon with exit 0", code === 0, `exit ${String(code)}`);
    rb.figure(
      "CLI runs at trace level under faults (command → exit code)",
      [...exits].map(([k, v]) => `${k}: ${v}`).join(", "),
    );
    rb.check(
      "every CLI run under faults ended with 0 or 1 (a runtime failure), never a crash",
      badExits.length === 0,
      `${[...exits.values()].reduce((a, b) => a + b, 0)} runs`,
      badExits,
    );
    rb.check(
      "the token secret never appeared in the daemon's trace log, its stderr, the state file, the CLI's trace output or the helper's audit lines",
      scan.leaks.length === 0,
      `${mib(scan.totalBytes)} MiB scanned`,
      scan.leaks.map((l) => `${l.surface}: ${l.context}`),
    );
  } finally {
    await helper.stop();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rb.done();
}
