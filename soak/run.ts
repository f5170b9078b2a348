// `npm run soak` (full) and `npm run soak -- --quick`: runs every suite in a process of its own, prints each
// result as it lands, regenerates RELIABILITY.md from the measured figures, and exits 1 if an invariant broke.
// Options: --quick, --only=ID[,ID], --out=PATH (default RELIABILITY.md at the repository root), --no-write.
import { spawn, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, release, totalmem, type as osType, userInfo } from "node:os";
import { fileURLToPath } from "node:url";
import { duration, renderReport } from "./lib/report.js";
import { RESULT_PREFIX, broken, type SuiteResult } from "./lib/result.js";
import { SUITES } from "./suites.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const known = (a: string): boolean =>
  a === "--quick" || a === "--no-write" || /^--(only|out)=/.test(a);
if (args.some((a) => !known(a))) {
  process.stderr.write(
    "usage: npm run soak [-- --quick] [--only=ID,ID] [--out=PATH] [--no-write]\n",
  );
  process.exit(2);
}
const profile = args.includes("--quick") ? "quick" : "full";
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const out = args.find((a) => a.startsWith("--out="))?.slice(6) ?? `${ROOT}RELIABILITY.md`;
const suites = SUITES.filter((s) => !only || only.includes(s.id));

function runSuite(id: string): Promise<SuiteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@felhom/source",
        "--import",
        "tsx",
        fileURLToPath(new URL("./suite-main.ts", import.meta.url)),
        id,
        profile,
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let partial = "";
    let result: string | undefined;
    const take = (line: string): void => {
      if (line.startsWith(RESULT_PREFIX)) result = line.slice(RESULT_PREFIX.length);
      else process.stdout.write(`${line}\n`);
    };
    child.stdout.on("data", (c: Buffer) => {
      const lines = (partial + c.toString()).split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(take);
    });
    child.on("close", (code) => {
      if (partial !== "") take(partial);
      if (result !== undefined) resolve(JSON.parse(result) as SuiteResult);
      else reject(new Error(`suite ${id} exited ${String(code)} without a result`));
    });
  });
}

const startedAt = new Date();
const t0 = performance.now();
const results: SuiteResult[] = [];
for (const s of suites) {
  process.stdout.write(`soak: ${s.id} (${profile}) …\n`);
  try {
    const r = await runSuite(s.id);
    results.push(r);
    const bad = broken(r);
    process.stdout.write(
      `soak: ${s.id}: ${r.skipped ?? (bad.length === 0 ? `all ${r.checks.length} invariants held` : `${bad.length} broken`)} in ${duration(r.durationMs)}\n`,
    );
    for (const line of bad) process.stdout.write(`  BROKEN ${line}\n`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.push({
      suite: s.id,
      title: s.id,
      profile,
      durationMs: 0,
      figures: [],
      checks: [{ invariant: "the suite ran to completion", held: false, detail: message }],
    });
    process.stdout.write(`soak: ${s.id}: FAILED TO RUN: ${message}\n`);
  }
}
const git = (a: string[]): string => {
  try {
    return execFileSync("git", a, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};
const cpu = cpus();
const report = renderReport(
  {
    profile,
    command: profile === "quick" ? "npm run soak -- --quick" : "npm run soak",
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    machine: `${osType()} ${release()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    user: userInfo().uid === 0 ? "root" : `uid ${userInfo().uid}`,
    commit: git(["rev-parse", "--short", "HEAD"]) || "unknown",
    dirty: git(["status", "--porcelain", "--", "packages", "soak"]) !== "",
  },
  results,
  new Map(SUITES.map((s) => [s.id, s.about])),
);
if (!args.includes("--no-write") && !only) {
  writeFileSync(out, report);
  process.stdout.write(`soak: wrote ${out}\n`);
} else process.stdout.write(only ? "soak: --only given, RELIABILITY.md left as it is\n" : "");
const failed = results.flatMap(broken);
process.stdout.write(
  `soak: ${failed.length === 0 ? "every invariant held" : `${failed.length} invariant(s) broken`} (${duration(performance.now() - t0)})\n`,
);
process.exit(failed.length === 0 ? 0 : 1);
