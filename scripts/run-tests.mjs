#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test and test/ with node:test and tsx, and fails when none is found
// (Node 20's runner neither finds .ts files nor fails on an empty run).
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawn } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const roots = [
  ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "test")),
  join(root, "test"),
];

function walk(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = roots.flatMap(walk).sort();
if (filter.length > 0)
  files = files.filter((f) => filter.some((w) => relative(root, f).includes(w)));
if (files.length === 0) {
  console.error(
    "run-tests: no test files found" + (filter.length ? ` matching ${filter.join(" ")}` : ""),
  );
  process.exit(1);
}

const args = [
  "--conditions=@felhom/source",
  "--import",
  "tsx",
  "--test",
  "--test-concurrency=2",
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
let tail = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on("close", (code, signal) => {
  const m = /# tests (\d+)/.exec(tail);
  if (code === 0 && (!m || Number(m[1]) === 0)) {
    console.error("run-tests: the runner executed no test");
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
