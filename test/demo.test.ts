// `npm start` (the README's main command) runs to completion: every step behaves as expected, and afterwards
// nothing it started is still running and its temp directory is gone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./fence/imports.js";

const MAIN = join(ROOT, "demo/dist/main.js");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("demo – npm start walks the routing table and ends cleanly", async () => {
  assert.ok(existsSync(MAIN), `${MAIN} is missing: run npm run build (npm test does)`);
  const child = spawn(process.execPath, [MAIN], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `${out}\n${err}`);
  assert.equal(err, "");
  assert.match(out, /✓ demo complete: \d+ checks as expected/);
  // Each routing-table row was shown with the backend that served it.
  for (const row of [
    /nodeStatus served by API/,
    /restore served by API/,
    /backup served by API/,
    /goldenCreate served by root helper/,
    /usbMount served by root helper/,
    /sensors served by root helper/,
  ]) {
    assert.match(out, row);
  }
  assert.match(
    out,
    /FAILED: .*Permission check failed \(\/vms\/100, VM\.Backup\)/,
    "the task that fails inside",
  );
  assert.match(out, /… backup 110 \(snapshot mode\): running/, "live task progress");
  const pid = Number(/root helper +pid (\d+)/.exec(out)?.[1]);
  assert.ok(pid > 0 && !alive(pid), "the helper process is gone");
  const dir = /socket (\/\S+)\/helper\.sock/.exec(out)?.[1];
  assert.ok(dir !== undefined && !existsSync(dir), "the temp directory is removed");
});
