// Bad input at the agent's edges, through the compiled `felhom` CLI and `felhom-agent` daemon as processes:
// every case must exit 2 with a one-line error naming the field, option or file (argument errors may add
// usage lines), no stack trace, no raw control characters, and never the token secret.
import { BUILT } from "@felhom/test-support";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@felhom/agent";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { SecretScan } from "../lib/secret-scan.js";
import {
  baseConfig,
  cliArgCases,
  configCases,
  daemonArgCases,
  envCases,
  randomConfigCases,
  tokenCases,
  type BadInput,
  type Target,
} from "./cases.js";

const ENTRY: Record<Target, string> = { cli: BUILT.cli, daemon: BUILT.daemon };
const STACK = /^\s+at\s|node:internal|\.[cm]?js:\d+:\d+|\bError: /m;
// eslint-disable-next-line no-control-regex -- finding raw control characters in the output is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** How many cases of each group `npm test` plays (evenly spread over the group; each run is a node start). */
const TEST_QUOTA: Record<BadInput["group"], number> = {
  "config file": 14,
  environment: 4,
  "cli arguments": 14,
  "daemon arguments": 3,
  "token file": 5,
};

/** Which cases a profile plays: a spread sample in `npm test` (four times as many in quick), both entries for
 * every enumerated case plus random mutations in full. */
function plan(
  profile: Profile,
  all: Array<Omit<BadInput, "target">>,
  random: Array<Omit<BadInput, "target">>,
): BadInput[] {
  const targetOf = (c: Omit<BadInput, "target">, i: number): Target[] =>
    c.group === "cli arguments"
      ? ["cli"]
      : c.group === "daemon arguments"
        ? ["daemon"]
        : profile === "full"
          ? ["cli", "daemon"]
          : [i % 2 === 0 ? "daemon" : "cli"];
  let picked = [...all, ...random];
  if (profile !== "full") {
    picked = [];
    for (const [group, quota] of Object.entries(TEST_QUOTA)) {
      const of = all.filter((c) => c.group === group);
      // The group's first two cases (the plainest ones), then an even spread over the rest.
      const step = Math.max(1, of.length / (profile === "quick" ? 4 * quota : quota));
      const indexes = new Set([0, 1]);
      for (let x = 2; x < of.length; x += step) indexes.add(Math.floor(x));
      for (const i of [...indexes].filter((i) => i < of.length))
        picked.push(of[i] as Omit<BadInput, "target">);
    }
  }
  return picked.flatMap((c, i) => targetOf(c, i).map((target) => ({ ...c, target })));
}

export async function runBadInput(opts: { profile: Profile }): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "bad-input",
    "Bad input at the edges: config, environment, CLI and daemon arguments, token files",
    opts.profile,
  );
  if (!existsSync(ENTRY.cli) || !existsSync(ENTRY.daemon))
    return rb.done("the agent is not built (npm run build)");
  const dir = await mkdtemp(join(tmpdir(), "soak-bad-input-"));
  const secret = randomUUID();
  const scan = new SecretScan(secret);
  try {
    const base = baseConfig(join(dir, "state.json"));
    const baseText = JSON.stringify(base);
    const goodToken = join(dir, "token");
    await writeFile(goodToken, `felhom@pve!agent=${secret}\n`, { mode: 0o600 });
    const all = [
      ...configCases(base, secret),
      ...envCases(),
      ...cliArgCases(),
      ...daemonArgCases(),
      ...tokenCases(secret),
    ];
    const random = randomConfigCases(base, opts.profile === "full" ? 300 : 60, 5);
    // A mutation that still validates is not bad input (for example a hostile string that is a valid path).
    const isBad = (c: Omit<BadInput, "target">): boolean => {
      if (c.group !== "config file" || c.configText === undefined) return true;
      try {
        parseConfig(JSON.parse(c.configText));
        return false;
      } catch {
        return true;
      }
    };
    const cases = plan(opts.profile, all.filter(isBad), random.filter(isBad));
    const stillValid =
      all.length + random.length - all.filter(isBad).length - random.filter(isBad).length;
    const failures: string[] = [];
    const counts = new Map<string, number>();
    let next = 0;
    let n = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i] as BadInput;
        const cfg = join(dir, `c${i}.json`);
        const tok = join(dir, `t${i}`);
        await writeFile(cfg, c.configText ?? baseText);
        if (c.token) {
          await writeFile(tok, c.token.text);
          await chmod(tok, c.token.mode);
        }
        const files = ["--config", cfg, "--token-file", c.token ? tok : goodToken];
        // The CLI needs a command: cases about files and the environment run `felhom status`.
        const cliArgs = c.group === "cli arguments" ? c.args : [...c.args, "status"];
        const args =
          c.target === "cli"
            ? [ENTRY.cli, ...files, ...cliArgs]
            : [ENTRY.daemon, ...files, ...c.args];
        const ran = await run(args, { PATH: "/usr/bin:/bin", ...c.env }, dir);
        n++;
        counts.set(c.group, (counts.get(c.group) ?? 0) + 1);
        scan.scan(`${c.target} stderr`, ran.stderr);
        scan.scan(`${c.target} stdout`, ran.stdout);
        const lines = ran.stderr.replace(/\n$/, "").split("\n");
        const first = lines[0] ?? "";
        const rest = lines.slice(1);
        const problems: string[] = [];
        if (ran.code !== 2) problems.push(`exit ${String(ran.code)}`);
        if (!c.usageAllowed && lines.length !== 1) problems.push(`${lines.length} lines`);
        if (c.usageAllowed && rest.length > 0 && !(rest[0] ?? "").startsWith("usage:"))
          problems.push(`${lines.length} lines, the second is not usage`);
        if (!c.names.some((w) => first.includes(w)))
          problems.push(`does not name ${c.names.join(" / ")}`);
        if (STACK.test(ran.stderr)) problems.push("a stack trace or source location");
        if (CONTROL.test(ran.stderr)) problems.push("raw control characters");
        if (problems.length > 0)
          failures.push(
            `${c.target} ${c.group} ${c.name}: ${problems.join(", ")}: ${JSON.stringify(first.slice(0, 160))}`,
          );
      }
    };
    await Promise.all(Array.from({ length: Math.max(2, Math.min(4, cpus().length)) }, worker));
    rb.figure("bad inputs tried (process runs)", n);
    rb.figure("by kind", [...counts].map(([k, v]) => `${k} ${v}`).join(", "));
    rb.figure("generated mutations skipped because the agent accepts them as valid", stillValid);
    rb.check(
      "every bad input exited 2 with a one-line error naming the field, option or file, no stack trace, no raw control characters",
      failures.length === 0,
      `${n} runs, ${failures.length} failed`,
      failures,
    );
    rb.check(
      "the token secret never appeared on stdout or stderr (token files, config values, unknown keys carrying it)",
      scan.leaks.length === 0,
      `${scan.tallies.reduce((a, t) => a + t.items, 0)} outputs scanned`,
      scan.leaks.map((l) => `${l.surface}: ${l.context}`),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rb.done();
}
