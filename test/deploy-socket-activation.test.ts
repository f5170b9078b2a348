// Socket activation end to end with systemd's own activator: the compiled helper, under the unit's Node flags,
// adopts fd 3 from `systemd-socket-activate`, serves hello, and refuses when LISTEN_PID is not its own pid.
// Like systemd with Accept=no, the activator starts the helper on the first connection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelperClient } from "@felhom/helper-protocol";
import { HELPER_NODE_FLAGS } from "../bench/lib/unit-flags.js";

const repo = new URL("..", import.meta.url).pathname;
const main = join(repo, "packages/root-helper/dist/main.js");
const activator = "/usr/bin/systemd-socket-activate";
const FLAGS = HELPER_NODE_FLAGS; // read from deploy/felhom-root-helper.service
const skip =
  process.getuid?.() !== 0
    ? "the helper's production mode runs only as root"
    : !existsSync(activator)
      ? "systemd-socket-activate is not installed (apt-get install systemd)"
      : !existsSync(main)
        ? "the helper is not built (npm run build)"
        : false;

/**
 * Runs `systemd-socket-activate -l SOCK CMD…` and waits for its socket. The activator applies no
 * SocketMode=/SocketGroup= (its socket is 0644), so this sets 0660 before the first connection, as the
 * .socket unit would.
 */
async function activate(dir: string, command: string[]) {
  const sock = join(dir, "helper.sock");
  const child = spawn(activator, ["-l", sock, ...command], {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // The activator says "Listening on" once the socket is bound: wait for that line, not for a clock.
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("Listening on")) resolve();
    });
    child.once("exit", () => reject(new Error(`no socket: ${stderr}`)));
  });
  assert.ok(existsSync(sock), `no socket at ${sock}: ${stderr}`);
  chmodSync(sock, 0o660);
  return { sock, child, exited, stderr: () => stderr };
}

test("socket activation – the helper adopts fd 3 and serves hello", { skip }, async () => {
  // The agent here is root (uid 0, gid 0), so the activator's root:root socket has the agent's group.
  const dir = mkdtempSync(join(tmpdir(), "felhom-activate-"));
  const h = await activate(dir, [process.execPath, ...FLAGS, main, "--agent-user", "root"]);
  try {
    const started = Date.now();
    const client = await HelperClient.connect(h.sock, { connectTimeoutMs: 120_000 }); // a liveness bound: a cold start under load;
    console.log(`# first connection to hello answered: ${Date.now() - started} ms`);
    assert.equal(client.info?.protocol, "felhom-root-helper");
    assert.ok(client.info?.methods.includes("hw.sensors"));
    assert.ok(h.stderr().includes(`${FLAGS.join(" ")} ${main}`), h.stderr());
    assert.match(h.stderr(), /felhom-root-helper: serving uid 0 gid 0 on /);
    client.close();
    h.child.kill("SIGTERM");
    assert.equal(await h.exited, 0, h.stderr());
  } finally {
    h.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  "socket activation – a helper whose pid is not LISTEN_PID refuses to start",
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "felhom-activate-"));
    // `sh -c 'node …; exit $?'` forks, so the helper runs under another pid than the one LISTEN_PID names.
    const cmd = `${process.execPath} ${FLAGS.join(" ")} ${main} --agent-user root; exit $?`;
    const h = await activate(dir, ["/bin/sh", "-c", cmd]);
    try {
      const knock = connect(h.sock).on("error", () => undefined);
      const code = await h.exited;
      knock.destroy();
      assert.equal(code, 1, h.stderr());
      const lines = h
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("felhom-root-helper:"));
      assert.deepEqual(lines, [
        "felhom-root-helper: refusing to start: no --socket PATH and no systemd socket for this pid",
      ]);
    } finally {
      h.child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
