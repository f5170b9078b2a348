#!/usr/bin/env node
// Runs the whole suite several times in a row while other processes keep every core busy, to show that no
// test depends on a quiet machine (issue 15: "passes three times in a row with both cores kept busy").
// Usage: node scripts/test-under-load.mjs [--runs N] [--hogs N]   (after `npm run build`)
import { spawn } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    hogs: { type: "string", default: String(availableParallelism()) },
  },
});
const runs = Number(values.runs);
const hogCount = Number(values.hogs);
if (!(Number.isInteger(runs) && runs > 0 && Number.isInteger(hogCount) && hogCount >= 0)) {
  console.error("test-under-load: --runs must be a positive integer and --hogs a whole number");
  process.exit(2);
}

const root = new URL("..", import.meta.url).pathname;
// Each hog is a separate process spinning one core at 100 % for as long as the runs last.
const hogs = Array.from({ length: hogCount }, () =>
  spawn(process.execPath, ["-e", "for (;;);"], { stdio: "ignore" }),
);
const stopHogs = () => hogs.forEach((h) => h.kill("SIGKILL"));
process.on("exit", stopHogs);
process.on("SIGINT", () => process.exit(130));

/** One run of scripts/run-tests.mjs; its TAP summary lines are kept for the report. */
function runOnce(n) {
  return new Promise((resolve) => {
    const started = Date.now();
    const load = loadavg()[0].toFixed(1);
    const child = spawn(process.execPath, ["scripts/run-tests.mjs"], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let tail = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    });
    child.on("close", (code) => {
      const count = (name) => new RegExp(`^# ${name} (\\d+)$`, "m").exec(tail)?.[1] ?? "?";
      resolve({
        n,
        code,
        tests: count("tests"),
        pass: count("pass"),
        fail: count("fail"),
        skipped: count("skipped"),
        seconds: Math.round((Date.now() - started) / 1000),
        load,
      });
    });
  });
}

const results = [];
for (let n = 1; n <= runs; n++) results.push(await runOnce(n));
stopHogs();
console.log(`\ntest-under-load: ${runs} run(s), ${hogCount} busy process(es) beside them`);
for (const r of results) {
  console.log(
    `run ${r.n}: exit ${r.code}, tests ${r.tests}, pass ${r.pass}, fail ${r.fail}, skipped ${r.skipped}, ` +
      `${r.seconds} s, load ${r.load} at its start`,
  );
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
