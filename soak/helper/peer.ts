// Who may talk to the helper, with real sockets and real uid drops (root only): the production helper
// (compiled main.js, socket activation through systemd-socket-activate) refuses to start on a socket with a
// wrong mode or group, and, on a correct one, serves only the agent user and root (issue 13); a peer outside the
// agent's group is refused by the socket's mode, and one that gets past the mode (a member through a
// supplementary group) is refused by the SO_PEERCRED check.
import { BUILT } from "@felhom/test-support";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ResultBuilder, type Profile, type SuiteResult } from "../lib/result.js";
import { isRoot, PRODUCTION_FLAGS } from "./helper-process.js";

const MAIN = BUILT.rootHelper;
const SETPRIV = "/usr/bin/setpriv";
const ACTIVATE = "/usr/bin/systemd-socket-activate";

/** A client with no dependencies (it runs as an unprivileged uid that cannot read ~/.npm): hello, then report. */
const CLIENT = `
import { connect } from "node:net";
const s = connect({ path: process.argv[2] });
const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "helper.hello", params: {} });
let out = "";
let connected = false;
const done = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
s.on("connect", () => { connected = true; s.write("Content-Length: " + body.length + "\\r\\n\\r\\n" + body); });
s.on("data", (d) => { out += d; if (out.includes("felhom-root-helper")) done({ result: "served" }); });
s.on("error", (e) => done(connected ? { result: "dropped after connect, no answer" } : { result: "refused", code: e.code }));
s.on("close", () => done({ result: "dropped after connect, no answer" }));
setTimeout(() => done({ result: "no answer" }), 4000);
`;

interface Identity {
  name: string;
  /** setpriv arguments; undefined: this (root) process itself. */
  args?: string[];
  expect: string;
}

function run(
  file: string,
  args: string[],
  timeoutMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The production helper with `--socket PATH` (it creates the socket and sets root:agent-group 0660 itself). */
async function byHand(dir: string, user: string) {
  const socket = join(dir, `helper-${++activations}.sock`);
  const child = spawn(
    process.execPath,
    [...PRODUCTION_FLAGS, MAIN, "--socket", socket, "--agent-user", user],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (stderr.includes("felhom-root-helper: serving")) resolve();
    });
    void exited.then((code) => reject(new Error(`the helper exited (${String(code)}): ${stderr}`)));
  });
  return {
    socket,
    stderr: () =>
      stderr
        .split("\n")
        .filter((l) => l.startsWith("felhom-root-helper:") || l.startsWith("{"))
        .join("\n"),
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** The production helper behind systemd-socket-activate; it starts when the first client connects. */
let activations = 0;
async function activated(dir: string, user: string, mode: number, gid: number) {
  const socket = join(dir, `helper-${++activations}.sock`);
  const child: ChildProcess = spawn(
    ACTIVATE,
    ["-l", socket, process.execPath, ...PRODUCTION_FLAGS, MAIN, "--agent-user", user],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(20);
  await chown(socket, 0, gid);
  await chmod(socket, mode);
  return {
    socket,
    /** The helper's own lines (systemd-socket-activate's and V8's are left out). */
    stderr: () =>
      stderr
        .split("\n")
        .filter((l) => l.startsWith("felhom-root-helper:") || l.startsWith("{"))
        .join("\n"),
    exited,
    stop: async () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

export async function runPeerChecks(opts: { profile: Profile }): Promise<SuiteResult> {
  const rb = new ResultBuilder(
    "helper-peers",
    "Root helper: peers outside the agent's group and wrong socket modes",
    opts.profile,
  );
  const passwd = readFileSync("/etc/passwd", "utf8");
  const nobody = /^nobody:x:(\d+):(\d+):/m.exec(passwd);
  if (!isRoot)
    return rb.done(
      "needs root: real socket ownership, setpriv uid drops and the production helper",
    );
  if (!existsSync(SETPRIV) || !existsSync(ACTIVATE) || !nobody)
    return rb.done(
      "needs setpriv (util-linux), systemd-socket-activate (systemd) and a nobody user",
    );
  const [uid, gid] = [Number(nobody[1]), Number(nobody[2])];
  const other = 65533;
  const dir = await mkdtemp(join(tmpdir(), "soak-peer-"));
  await chmod(dir, 0o755);
  const client = join(dir, "client.mjs");
  await writeFile(client, CLIENT, { mode: 0o644 });
  const as = async (id: Identity, socket: string): Promise<string> => {
    const argv = [client, socket];
    const r = id.args
      ? await run(SETPRIV, [...id.args, process.execPath, ...argv])
      : await run(process.execPath, argv);
    try {
      const parsed = JSON.parse(r.stdout) as { result: string; code?: string };
      return parsed.code ? `${parsed.result} (${parsed.code})` : parsed.result;
    } catch {
      return `client failed: ${r.stderr.slice(0, 200)}`;
    }
  };
  try {
    // Wrong socket modes and groups: the production helper refuses to start, with one line on stderr.
    const wrong: Array<[string, number, number, RegExp]> = [
      ["mode 0666", 0o666, gid, /refusing to start: socket .* has mode 666, wider than 0660/],
      ["mode 0662", 0o662, gid, /refusing to start: .*wider than 0660/],
      [
        "group root instead of the agent's",
        0o660,
        0,
        /refusing to start: socket .* has group 0, not the agent's group/,
      ],
    ];
    for (const [what, mode, group, reason] of wrong) {
      const h = await activated(dir, "nobody", mode, group);
      const trigger = await as({ name: "root", expect: "" }, h.socket);
      const code = await Promise.race([
        h.exited,
        sleep(5000, null, { ref: false }).then(() => "still running"),
      ]);
      const line = h.stderr().trim();
      rb.check(
        `a socket with ${what} stops the production helper at start (one line on stderr, exit code 1, nothing served)`,
        code === 1 && reason.test(line) && !line.includes("\n") && trigger !== "served",
        `exit ${String(code)}: "${line}"`,
      );
      if (code === "still running") await h.stop();
    }
    // A correct socket from systemd (root:nogroup 0660): the helper adopts it and serves the agent user.
    const good = await activated(dir, "nobody", 0o660, gid);
    const first = await as(
      {
        name: "agent",
        args: [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"],
        expect: "served",
      },
      good.socket,
    );
    const goodExit = await Promise.race([
      good.exited,
      sleep(300, null, { ref: false }).then(() => "running"),
    ]);
    rb.check(
      "on a correct systemd socket (root:agent-group 0660, fd 3) the production helper starts and serves the agent user",
      first === "served" && goodExit === "running",
      `first client: ${first}; helper: ${goodExit === "running" ? "running" : `exited ${String(goodExit)}: "${good.stderr().trim()}"`}`,
    );
    if (goodExit === "running") await good.stop();
    // Who is served, on a socket the helper made itself (--socket: root:nogroup 0660, agent user nobody).
    const h = await byHand(dir, "nobody");
    const identities: Identity[] = [
      {
        name: `the agent user (uid ${uid}, gid ${gid})`,
        args: [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups"],
        expect: "served",
      },
      {
        name: `a user outside the agent's group (uid ${other})`,
        args: [`--reuid=${other}`, `--regid=${other}`, "--clear-groups"],
        expect: "refused (EACCES)",
      },
      {
        name: `the agent uid with another gid (${other})`,
        args: [`--reuid=${uid}`, `--regid=${other}`, "--clear-groups"],
        expect: "refused (EACCES)",
      },
      {
        name: `uid ${other} in the agent's group as a supplementary group (passes the mode; SO_PEERCRED refuses)`,
        args: [`--reuid=${other}`, `--regid=${other}`, `--groups=${gid}`],
        expect: "dropped after connect, no answer",
      },
      {
        name: "root (bypasses the mode; served, audited as uid 0)",
        expect: "served",
      },
    ];
    for (const id of identities) {
      const got = await as(id, h.socket);
      rb.check(`${id.name}: ${id.expect}`, got === id.expect, `got: ${got}`);
    }
    const served = await as(identities[0] as Identity, h.socket);
    const stop = await h.stop();
    const audit = h
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map(
        (l) =>
          JSON.parse(l) as { method?: string; decision?: string; peer?: { uid?: number } | null },
      );
    const denied = audit
      .filter((a) => a.method === "(connect)" && a.decision === "denied")
      .map((a) => a.peer?.uid);
    const rootServed = audit.some(
      (a) => a.method === "(connect)" && a.decision === "ok" && a.peer?.uid === 0,
    );
    rb.check(
      "every refused peer left a denied audit line naming its uid; root's connection was audited as uid 0",
      denied.includes(other) && !denied.includes(0) && rootServed,
      `denied peers: uids ${denied.join(", ")}; root served: ${String(rootServed)}`,
    );
    rb.check(
      "the agent user was still served afterwards and the helper stopped cleanly on SIGTERM",
      served === "served" && stop === 0,
      `${served}, exit ${String(stop)}`,
    );
    rb.figure("identities tried", identities.length + wrong.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rb.done();
}
