// The demo's last step: the felhom-agent daemon as a process. It runs its start-up checks, writes two host
// snapshots to the state file, and stops cleanly on SIGTERM; its log and state file never hold the secret.
import { spawn } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { dim, say, step } from "./console.js";
import type { Checklist } from "./main.js";

export interface DaemonStepOptions {
  daemonJs: string;
  configFile: string;
  tokenFile: string;
  checks: Checklist;
  secret: string;
}

export async function runDaemonStep(o: DaemonStepOptions): Promise<void> {
  step(
    "the felhom-agent daemon",
    "start-up checks, then a host snapshot every second to the state file, until SIGTERM",
  );
  say(`   $ felhom-agent --config … --token-file …`);
  const child = spawn(
    process.execPath,
    [o.daemonJs, "--config", o.configFile, "--token-file", o.tokenFile],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  let snapshots = 0;
  const enough = new Promise<void>((resolve) => {
    const onLine = (line: string): void => {
      output.push(line);
      let msg = line;
      try {
        const parsed = (JSON.parse(line) as { msg?: unknown }).msg;
        if (typeof parsed === "string") msg = parsed;
      } catch {
        // not a log line (stderr)
      }
      if (
        msg.startsWith("felhom-agent ready") ||
        msg.startsWith("snapshot") ||
        msg.startsWith("felhom-agent st")
      ) {
        say(dim(`     ${msg}`));
      }
      if (msg.startsWith("snapshot:") && ++snapshots === 2) resolve();
    };
    if (child.stdout) createInterface({ input: child.stdout }).on("line", onLine);
    if (child.stderr) createInterface({ input: child.stderr }).on("line", onLine);
    child.once("exit", () => resolve());
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await enough;
  say(dim("     (SIGTERM)"));
  child.kill("SIGTERM");
  const code = await exited;
  clearTimeout(timer);
  o.checks.expect(snapshots >= 2, "the daemon wrote two snapshots");
  o.checks.expect(code === 0, `the daemon exited cleanly on SIGTERM (exit ${code})`);

  const config = JSON.parse(await readFile(o.configFile, "utf8")) as {
    snapshot: { stateFile: string };
  };
  const stateFile = config.snapshot.stateFile;
  const state = await readFile(stateFile, "utf8");
  const doc = JSON.parse(state) as Record<string, { ok?: boolean } | string | number>;
  const parts = ["nodeStatus", "guests", "storage", "disks", "sensors"].map(
    (p) => `${p} ${(doc[p] as { ok?: boolean } | undefined)?.ok === true ? "ok" : "failed"}`,
  );
  say(dim(`     ${stateFile}: ${state.length} bytes, ${parts.join(", ")}`));
  const leftovers = (await readdir(dirname(stateFile))).filter((n) => n.endsWith(".tmp"));
  o.checks.expect(leftovers.length === 0, "no half-written state file is left");
  o.checks.expect(!state.includes(o.secret), "the state file does not contain the token secret");
  o.checks.expect(
    !output.join("\n").includes(o.secret),
    "the daemon's log does not contain the token secret",
  );
}
