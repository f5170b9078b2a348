// The client loads undici's Agent and buildConnector from their own files (src/undici-parts.ts): they must be
// the very values undici's index exports, and loading the client must not load undici's index.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import undici from "undici"; // CommonJS: the default import is module.exports
import { Agent, buildConnector } from "../src/undici-parts.js";

test("undici parts – Agent and buildConnector are the values undici's index exports", () => {
  assert.equal(Agent, undici.Agent);
  assert.equal(buildConnector, undici.buildConnector);
  assert.equal(typeof new Agent().dispatch, "function");
});

/** Loads `module` in a fresh node (this runner's flags: tsx, source condition) and lists undici's files. */
function undiciFilesLoadedBy(modules: string[]): string[] {
  const imports = modules.map((m) => `await import(${JSON.stringify(m)});`).join(" ");
  const code = `${imports}
    const { createRequire } = await import("node:module");
    const cache = createRequire(import.meta.url).cache;
    process.stdout.write(JSON.stringify(Object.keys(cache).filter((f) => f.includes("/node_modules/undici/"))));`;
  const r = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", code], {
    encoding: "utf8",
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as string[]).map((f) =>
    f.replace(/^.*\/node_modules\/undici\//, ""),
  );
}

const clientEntry = pathToFileURL(fileURLToPath(new URL("../src/index.ts", import.meta.url))).href;

test("undici parts – loading the client loads undici's agent and connector, not its index", () => {
  const files = undiciFilesLoadedBy([clientEntry]);
  assert.ok(files.includes("lib/dispatcher/agent.js"), files.join(", "));
  assert.ok(files.includes("lib/core/connect.js"), files.join(", "));
  assert.ok(!files.includes("index.js"), "undici's index was loaded");
  assert.ok(
    !files.some((f) => f.startsWith("lib/web/")),
    "undici's fetch/WebSocket layer was loaded",
  );
});

test("undici parts – the check sees undici's index when something does load it", () => {
  const files = undiciFilesLoadedBy([clientEntry, "undici"]);
  assert.ok(files.includes("index.js"), files.join(", "));
  assert.ok(files.some((f) => f.startsWith("lib/web/")));
});
