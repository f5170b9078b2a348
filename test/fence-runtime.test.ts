// The fence at run time: the built root helper runs with every network API of Node replaced by a trap, the built
// pve-client and the agent's CLI and daemon run with every way to start a process replaced by a trap; each does
// its real work (over the Unix socket, against the simulator over HTTPS) and no trap is ever touched.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSim } from "@felhom/pve-sim";
import type { Sim } from "@felhom/pve-sim";
import { startAgentSide, USB_UUID } from "@felhom/test-support";
import type { Sandbox } from "@felhom/test-support";
import { ROOT } from "./support/system.js";

const DENY_NETWORK = join(ROOT, "test/fence/deny-network.mjs");
const DENY_SPAWN = join(ROOT, "test/fence/deny-spawn.mjs");
const BUILT = [
  "packages/root-helper/dist/index.js",
  "packages/pve-client/dist/index.js",
  "packages/agent/dist/cli.js",
  "packages/agent/dist/daemon.js",
  "demo/dist/helper-process.js",
];

interface Record {
  what: string;
  pid?: number;
}

async function records(file: string): Promise<Record[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record);
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { stopAfter?: RegExp } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let stopped = false;
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (!stopped && opts.stopAfter?.test(out)) {
        stopped = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

let dir: string;
let sim: Sim;
let sandbox: Sandbox;
let helperLog: string;
let configFile: string;
let tokenFile: string;
let secret: string;

before(async () => {
  for (const f of BUILT)
    assert.ok(existsSync(join(ROOT, f)), `${f} is missing: run npm run build (npm test does)`);
  dir = await mkdtemp(join(tmpdir(), "felhom-fence-"));
  sim = await startSim({ quiet: true, taskDurationMs: 150 });
  helperLog = join(dir, "helper-fence.log");
  // The built helper, with production flags and every network API trapped.
  const agent = await startAgentSide({
    dir,
    root: ROOT,
    sim,
    intervalSeconds: 0.2,
    helperArgs: [
      "--jitless",
      "--disallow-code-generation-from-strings",
      "--import",
      DENY_NETWORK,
      join(ROOT, "demo/dist/helper-process.js"),
    ],
    env: { ...process.env, FENCE_LOG: helperLog },
  });
  ({ sandbox, configFile, tokenFile, secret } = agent);
});

after(async () => {
  await sandbox?.close();
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("run-time fence", () => {
  test("fence – the traps work: fetch, TCP, http and undici fail and are recorded; so do spawn and execa", async () => {
    const log = join(dir, "control.log");
    const net = await run(
      [
        "--import",
        DENY_NETWORK,
        "--input-type=module",
        "-e",
        `const tries = [() => fetch("http://127.0.0.1:9"), async () => (await import("node:net")).connect(9, "127.0.0.1"),
           async () => (await import("node:http")).request("http://127.0.0.1:9"), () => import("undici")];
         for (const t of tries) { try { await t(); } catch {} }`,
      ],
      { ...process.env, FENCE_LOG: log },
    );
    assert.equal(net.code, 0, net.err);
    const netTries = (await records(log)).map((r) => r.what);
    assert.deepEqual(netTries, [
      "preload loaded: deny-network",
      "globalThis.fetch",
      "net.Socket.connect(tcp)",
      "import(node:http)",
      "import(undici)",
    ]);
    const log2 = join(dir, "control2.log");
    const sp = await run(
      [
        "--import",
        DENY_SPAWN,
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module";
         const require = createRequire(import.meta.url);
         for (const t of [() => require("node:child_process"), () => import("node:child_process"), () => import("execa")]) {
           try { await t(); } catch {}
         }`,
      ],
      { ...process.env, FENCE_LOG: log2 },
    );
    assert.equal(sp.code, 0, sp.err);
    assert.deepEqual(
      (await records(log2)).map((r) => r.what),
      [
        "preload loaded: deny-spawn",
        "require(node:child_process)",
        "import(node:child_process)",
        "import(execa)",
      ],
    );
  });

  test("fence – the root helper serves all six methods with the network trapped and never touches it", async () => {
    const { memoryIo, runCli } = await import("@felhom/agent");
    const cli = async (args: string[]) => {
      const io = memoryIo();
      const code = await runCli(["--config", configFile, "--token-file", tokenFile, ...args], io);
      assert.equal(code, 0, `${args.join(" ")}: ${io.err()}`);
    };
    await cli(["doctor"]); // helper.hello
    await cli(["sensors"]);
    if (sandbox.smartDevice) await cli(["smart", sandbox.smartDevice]);
    await cli(["usb", "mount", USB_UUID, "fence"]);
    await cli(["usb", "unmount", "fence"]);
    await cli([
      "golden",
      "create",
      "9100",
      "--template",
      "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
      "--storage",
      "local-lvm",
      "--hostname",
      "fence",
    ]);
    assert.ok(sim.state.guest(9100), "pct create really ran (the fake registered CT 9100)");
    const log = await records(helperLog);
    assert.deepEqual(log, [{ what: "preload loaded: deny-network", pid: sandbox.helperPid }]);
  });

  test("fence – the built pve-client does its work with process creation trapped and never touches it", async () => {
    const log = join(dir, "client.log");
    const r = await run(["--import", DENY_SPAWN, join(ROOT, "test/fence/run-client.mjs")], {
      ...process.env,
      FENCE_LOG: log,
      PVE_URL: sim.url,
      PVE_TOKEN: `felhom@pve!agent=${secret}`,
      PVE_FINGERPRINT: sim.fingerprint256,
      PVE_NODE: sim.node,
    });
    assert.equal(r.code, 0, r.err);
    const done = (JSON.parse(r.out) as { done: string[] }).done;
    assert.ok(done.includes("start ok"), done.join(", "));
    assert.deepEqual(
      (await records(log)).map((x) => x.what),
      ["preload loaded: deny-spawn"],
    );
  });

  test("fence – the built felhom CLI and felhom-agent daemon never start a process", async () => {
    const log = join(dir, "agent.log");
    const env = { ...process.env, FENCE_LOG: log };
    const cli = join(ROOT, "packages/agent/dist/cli.js");
    const base = ["--import", DENY_SPAWN, cli, "--config", configFile, "--token-file", tokenFile];
    for (const args of [["doctor"], ["guests"], ["sensors"], ["stop", "101"]]) {
      const r = await run([...base, ...args], env);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.err}`);
    }
    const daemon = await run(
      [
        "--import",
        DENY_SPAWN,
        join(ROOT, "packages/agent/dist/daemon.js"),
        "--config",
        configFile,
        "--token-file",
        tokenFile,
      ],
      env,
      { stopAfter: /"msg":"snapshot: [^"]*"[\s\S]*"msg":"snapshot: / },
    );
    assert.equal(daemon.code, 0, daemon.err + daemon.out);
    const what = (await records(log)).map((x) => x.what);
    assert.deepEqual(what, Array(5).fill("preload loaded: deny-spawn"));
  });
});
