// End to end: the felhom-agent daemon as a process against the simulator and a real root helper: its start-up
// summary, snapshot cycles written atomically, a clean exit on SIGTERM at any moment, the secret never in its
// output (at trace level) or state file; and its start-up refusals, each a one-line reason and exit code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runDaemon } from "@felhom/agent";
import { ROOT, startSystem } from "./support/system.js";
import type { TestSystem } from "./support/system.js";

const DAEMON = [
  "--conditions=@felhom/source",
  "--import",
  "tsx",
  join(ROOT, "packages/agent/src/daemon.ts"),
];

let sys: TestSystem;
before(async () => {
  sys = await startSystem();
});
after(async () => {
  await sys.close();
});

interface Running {
  lines: string[];
  /** Resolves when `n` snapshot cycles were logged. */
  cycles(n: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

function startDaemon(args: string[]): Running {
  const child = spawn(process.execPath, [...DAEMON, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let cycles = 0;
  let buf = "";
  const onData = (chunk: Buffer): void => {
    buf += chunk.toString();
    const parts = buf.split("\n");
    buf = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (line.includes('"msg":"snapshot: ')) cycles++;
      for (const w of waiters.filter((x) => cycles >= x.n)) w.resolve();
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  void exit.then(() => clearTimeout(timer));
  return {
    lines,
    cycles: (n) =>
      new Promise<void>((resolve, reject) => {
        if (cycles >= n) resolve();
        else waiters.push({ n, resolve });
        void exit.then(() =>
          reject(new Error(`daemon exited after ${cycles} cycles:\n${lines.join("\n")}`)),
        );
      }),
    exit,
    kill: (signal) => child.kill(signal),
  };
}

describe("felhom-agent daemon", () => {
  test("daemon – no root helper: it keeps serving the API half, reports the helper failed, and retries", async () => {
    const config = await sys.writeConfig("nohelper.json", (c) => ({
      ...c,
      helper: { socket: join(sys.dir, "absent.sock") },
      snapshot: { ...(c.snapshot as object), stateFile: join(sys.dir, "nohelper.state") },
    }));
    const d = startDaemon(["--config", config, "--token-file", sys.tokenFile]);
    await d.cycles(2);
    const doc = JSON.parse(await readFile(join(sys.dir, "nohelper.state"), "utf8")) as Record<
      string,
      { ok?: boolean; state?: string; code?: string; failures?: number }
    >;
    d.kill("SIGTERM");
    const { code } = await d.exit;
    assert.equal(code, 0, d.lines.join("\n"));
    for (const part of ["nodeStatus", "guests", "storage"]) assert.equal(doc[part]?.ok, true, part);
    assert.equal(doc.sensors?.ok, false);
    assert.equal(doc.helper?.state, "failed");
    assert.equal(doc.helper?.code, "HELPER_CONNECT_FAILED");
    const logs = d.lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    assert.ok(
      logs.some(
        (l) =>
          l.level === "error" &&
          /^root helper unavailable: .*absent\.sock: HELPER_CONNECT_FAILED.*; serving the API half and retrying \(fix: /.test(
            l.msg,
          ),
      ),
      d.lines.join("\n"),
    );
    assert.ok(logs.some((l) => /retrying in 1000 ms$/.test(l.msg)));
    assert.ok(
      logs.some(
        (l) =>
          l.msg.startsWith("felhom-agent ready") &&
          /root helper unavailable \(retrying\)/.test(l.msg),
      ),
    );
    assert.ok(!logs.some((l) => l.level === "fatal"));
  });

  test("daemon – start-up summary, snapshots to an atomic state file, no secret at trace level, SIGTERM exits 0", async () => {
    const config = await sys.writeConfig("trace.json", (c) => ({ ...c, log: { level: "trace" } }));
    const d = startDaemon(["--config", config, "--token-file", sys.tokenFile]);
    await d.cycles(3);
    const stateFile = join(sys.dir, "state.json");
    const state = await readFile(stateFile, "utf8");
    d.kill("SIGTERM");
    const { code } = await d.exit;
    assert.equal(code, 0, d.lines.join("\n"));

    const logs = d.lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    const ready = logs.find((l) => l.msg.startsWith("felhom-agent ready"));
    assert.ok(ready, "one summary line");
    assert.match(
      ready.msg,
      /^felhom-agent ready: PVE 9\.1\.4 at https:\/\/127\.0\.0\.1:\d+ \(node pve\), token felhom@pve!agent, (\d+)\/\1 API operations permitted, root helper felhom-root-helper v1, snapshot every 0\.2 s to /,
    );
    assert.ok(
      logs.some((l) => l.level === "trace"),
      "trace lines were written (the scan below means something)",
    );
    assert.equal(logs.at(-1)?.msg, "felhom-agent stopped");
    const summary = logs.find((l) => l.msg.startsWith("snapshot: "));
    assert.match(
      summary?.msg ?? "",
      /^snapshot: node pve cpu [\d.]+% mem [\d.]+%; \d+ guests \(\d+ running\); 2 storages/,
    );

    const doc = JSON.parse(state) as Record<string, { ok: boolean; data: unknown }>;
    for (const part of ["nodeStatus", "guests", "storage", "disks", "sensors"])
      assert.equal(doc[part]?.ok, true, part);
    assert.equal((doc.guests?.data as unknown[]).length, sys.sim.state.guests.size);
    assert.deepEqual(
      (await readdir(sys.dir)).filter((n) => n.endsWith(".tmp")),
      [],
    );
    assert.ok(!state.includes(sys.secret), "no secret in the state file");
    assert.ok(!d.lines.join("\n").includes(sys.secret), "no secret in any log line");
    assert.ok(
      !d.lines.join("\n").includes("PVEAPIToken="),
      "no Authorization header value in any log line",
    );
  });

  test("daemon – SIGTERM in the middle of cycles never leaves a half-written state file", async () => {
    const config = await sys.writeConfig("fast.json", (c) => ({
      ...c,
      snapshot: {
        ...(c.snapshot as object),
        intervalSeconds: 0.1,
        stateFile: join(sys.dir, "fast.json.state"),
      },
    }));
    for (const delay of [0, 37, 85]) {
      const d = startDaemon(["--config", config, "--token-file", sys.tokenFile]);
      await d.cycles(2);
      await new Promise((r) => setTimeout(r, delay));
      d.kill("SIGTERM");
      const { code } = await d.exit;
      assert.equal(code, 0);
      JSON.parse(await readFile(join(sys.dir, "fast.json.state"), "utf8"));
      assert.deepEqual(
        (await readdir(sys.dir)).filter((n) => n.endsWith(".tmp")),
        [],
      );
    }
  });
});

/** Runs the daemon in process (for the refusals, which need no signal); returns exit code, stderr and logs. */
async function daemonOnce(args: string[]): Promise<{ code: number; err: string; log: string }> {
  let err = "";
  let log = "";
  const code = await runDaemon(args, {
    env: {},
    stderr: { write: (s: string) => (err += s) },
    stopSignal: new AbortController().signal,
    logDestination: new Writable({
      write(chunk: Buffer, _e, cb) {
        log += chunk.toString();
        cb();
      },
    }),
  });
  return { code, err, log };
}

function oneLine(err: string): void {
  assert.equal(err.split("\n").filter(Boolean).length, 1, `one line: ${err}`);
  assert.ok(!/\n\s+at /.test(err), "no stack trace");
}

describe("felhom-agent refuses to start", () => {
  test("daemon – a certificate that does not match the pin: exit 1", async () => {
    const pin = Array.from({ length: 32 }, () => "AA").join(":");
    const config = await sys.writeConfig("badpin.json", (c) => ({
      ...c,
      pve: { ...(c.pve as object), tls: { fingerprint256: pin } },
    }));
    const r = await daemonOnce(["--config", config, "--token-file", sys.tokenFile]);
    assert.equal(r.code, 1);
    oneLine(r.err);
    assert.match(
      r.err,
      /^felhom-agent: cannot start: TLS: https:\/\/127\.0\.0\.1:\d+: presented [0-9A-F:]+, pinned AA:AA/,
    );
  });

  test("daemon – a token without the role's privileges: exit 1 naming what is missing", async () => {
    const weak = sys.sim.addToken({
      id: "felhom@pve!weak",
      privsep: true,
      acl: [{ path: "/", privs: ["Sys.Audit", "VM.Audit"] }],
    });
    const file = join(sys.dir, "weak.token");
    await writeFile(file, weak.secret, { mode: 0o600 });
    const config = await sys.writeConfig("weak.json", (c) => ({
      ...c,
      pve: { ...(c.pve as object), tokenId: weak.id },
    }));
    const r = await daemonOnce(["--config", config, "--token-file", file]);
    assert.equal(r.code, 1);
    oneLine(r.err);
    assert.match(
      r.err,
      /^felhom-agent: cannot start: privileges: \d+\/\d+ operations lack privileges: .*VM\.Backup/,
    );
  });

  test("daemon – a wrong secret: exit 1, and neither secret is printed", async () => {
    const file = join(sys.dir, "wrong.token");
    const wrong = "00000000-1111-2222-3333-444444444444";
    await writeFile(file, wrong, { mode: 0o600 });
    const r = await daemonOnce(["--config", sys.configFile, "--token-file", file]);
    assert.equal(r.code, 1);
    oneLine(r.err);
    assert.match(
      r.err,
      /cannot start: token and \/version: PVE refused the token felhom@pve!agent \(401\)/,
    );
    assert.ok(!(r.err + r.log).includes(wrong) && !(r.err + r.log).includes(sys.secret));
  });

  test("daemon – a token file others can read, a bad config, bad arguments: exit 2, one line", async () => {
    const open = join(sys.dir, "open.token");
    await writeFile(open, sys.secret);
    await chmod(open, 0o644);
    const r1 = await daemonOnce(["--config", sys.configFile, "--token-file", open]);
    assert.equal(r1.code, 2);
    oneLine(r1.err);
    assert.match(r1.err, /is readable or writable by group or others \(mode 0644\)/);

    const bad = join(sys.dir, "bad.json");
    await writeFile(
      bad,
      JSON.stringify({
        pve: { url: "http://x", node: "pve", tokenId: "a@pve!b", tls: { insecure: true } },
      }),
    );
    const r2 = await daemonOnce(["--config", bad, "--token-file", sys.tokenFile]);
    assert.equal(r2.code, 2);
    assert.match(r2.err, /^felhom-agent: config: pve\.url: must be an https:\/\/ URL/);
    oneLine(r2.err);

    const r3 = await daemonOnce(["--bogus"]);
    assert.equal(r3.code, 2);
    assert.match(r3.err, /^felhom-agent: Unknown option '--bogus'/);
    assert.equal(r2.log + r1.log, "", "nothing logged before the config is valid");
  });
});
