#!/usr/bin/node
// A stand-in for pct, systemctl, smartctl, sensors or lsblk (named by the file it is copied to): it appends its
// argv and environment to calls.jsonl beside itself and answers with the first matching rule of fake-tools.json.
// The helper runs tools with a fixed PATH, hence the absolute shebang.
import { appendFileSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const self = process.argv[1] ?? "";
const dir = dirname(self);
const tool = basename(self);
const argv = process.argv.slice(2);
let stdin = "";
try {
  stdin = readFileSync(0, "utf8");
} catch {
  stdin = "(unreadable)";
}
// What every open descriptor refers to, so tests can check that no socket leaked into the tool.
const fds = {};
for (const fd of readdirSync("/proc/self/fd")) {
  try {
    fds[fd] = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // the descriptor readdir itself used is gone by now
  }
}
const call = { tool, argv, env: process.env, stdin, pid: process.pid, fds };
appendFileSync(join(dir, "calls.jsonl"), `${JSON.stringify(call)}\n`);

const rules = JSON.parse(readFileSync(join(dir, "fake-tools.json"), "utf8"))[tool] ?? [];
const rule = rules.find((r) => (r.when ?? []).every((w) => argv.includes(w))) ?? {};
const stdout = rule.stdoutFile ? readFileSync(rule.stdoutFile, "utf8") : (rule.stdout ?? "");
setTimeout(() => {
  process.stdout.write(stdout);
  process.stderr.write(rule.stderr ?? "");
  if (rule.hang) setInterval(() => undefined, 60_000);
  else process.exitCode = rule.exitCode ?? 0;
}, rule.delayMs ?? 0);
