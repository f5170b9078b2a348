// The production entry (compiled dist/main.js under the unit's flags): it refuses to start unless root, with a
// known agent user, a socket from systemd for its own pid (or --socket) that is root:<agent group> 0660 or
// tighter in a root-only directory, and its peercred addon; otherwise it serves and stops cleanly on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, chown, cp, mkdir, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { HelperClient } from "@felhom/helper-protocol";
import { PACKAGE_DIR, have, isRoot, run } from "./helpers.js";

const MAIN = join(PACKAGE_DIR, "dist", "main.js");
const FLAGS = ["--jitless", "--disallow-code-generation-from-strings"];
const built =
  existsSync(MAIN) && existsSync(join(PACKAGE_DIR, "native/build/Release/peercred.node"));
const ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };

/** Binds and listens on a Unix socket with the given mode and owner, then execs the helper as systemd would
 * (the socket on fd 3, LISTEN_PID = the helper's own pid, LISTEN_FDS=1). Test-only; python keeps it short. */
const ACTIVATE = `
import os, socket, sys
path, mode, uid, gid = sys.argv[1], int(sys.argv[2], 8), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(16)
os.chmod(path, mode)
os.chown(path, uid, gid)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)  # a no-op dup2 when the socket already is fd 3
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv("/usr/bin/node", ["node", *sys.argv[5:]])
`;

/** Starts the helper and resolves once it says it serves (or exits); the caller stops it. */
function startMain(file: string, args: string[], env: NodeJS.ProcessEnv = ENV) {
  const child = spawn(file, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const ready = new Promise<{ serving: boolean; code?: number | null }>((resolve) => {
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("serving")) resolve({ serving: true });
    });
    child.on("exit", (code) => resolve({ serving: false, code }));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  /** Resolves once stderr holds text (an event, not a poll); rejects if the process exits first. */
  const said = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!stderr.includes(text)) return;
        child.stderr.off("data", check);
        resolve();
      };
      child.stderr.on("data", check);
      child.once("exit", () => reject(new Error(`exited before saying ${text}: ${stderr}`)));
      check();
    });
  return { child, ready, exited, said, stderr: () => stderr };
}

/** The one line the helper printed when it refused to start. */
async function refusal(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = ENV,
): Promise<string> {
  const r = await run(file, args, { env, timeoutMs: 15_000 });
  assert.equal(r.code, 1, `expected exit 1, got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("felhom-root-helper:"));
  assert.equal(lines.length, 1, r.stderr);
  return lines[0]!;
}

async function tempDir(mode: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-main-"));
  await chmod(dir, mode);
  return dir;
}

const skip = (): string | undefined =>
  !isRoot
    ? "needs root"
    : !built
      ? "dist/main.js or the addon is not built (npm run build)"
      : undefined;

test("main – refuses without root, with bad options, an unknown agent user, or no socket for its pid", async (t) => {
  if (skip()) return t.skip(skip());
  const node = ["/usr/bin/node", ...FLAGS, MAIN];
  const asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", ...node];
  assert.match(
    await refusal("/usr/bin/setpriv", asNobody),
    /refusing to start: it must run as root$/,
  );
  for (const args of [
    ["--socket", "relative.sock"],
    ["--bogus", "x"],
    ["--agent-user", "Root;"],
    ["--socket"],
  ])
    assert.match(
      await refusal(node[0]!, [...node.slice(1), ...args]),
      /refusing to start: usage: /,
      args.join(" "),
    );
  assert.match(
    await refusal(node[0]!, [...node.slice(1), "--agent-user", "nosuchuser"]),
    /refusing to start: no user nosuchuser in \/etc\/passwd$/,
  );
  const noSocket = /refusing to start: no --socket PATH and no systemd socket for this pid$/;
  assert.match(await refusal(node[0]!, node.slice(1)), /no user felhom|no --socket/);
  assert.match(await refusal(node[0]!, [...node.slice(1), "--agent-user", "root"]), noSocket);
  const foreign = { ...ENV, LISTEN_PID: "1", LISTEN_FDS: "1" };
  assert.match(
    await refusal(node[0]!, [...node.slice(1), "--agent-user", "root"], foreign),
    noSocket,
  );
});

test("main – a systemd socket with a wrong mode, owner, group or directory stops it at start", async (t) => {
  if (skip()) return t.skip(skip());
  if (!(await have("/usr/bin/python3")))
    return t.skip("python3 (used to hand over a listening socket) is missing");
  const cases: Array<[string, number, number, number, string, RegExp]> = [
    ["mode 0666", 0o700, 0o666, 0, "root", /socket \S+ has mode 666, wider than 0660$/],
    ["mode 0661", 0o700, 0o661, 0, "root", /has mode 661, wider than 0660$/],
    ["setgid bit", 0o700, 0o2660, 0, "root", /has mode 2660, wider than 0660$/],
    ["owned by nobody", 0o700, 0o660, 65534, "root", /is not a socket owned by root$/],
    [
      "group is not the agent's",
      0o700,
      0o660,
      0,
      "nobody",
      /has group 0, not the agent's group 65534$/,
    ],
    ["directory writable by others", 0o777, 0o660, 0, "root", /is not root's alone$/],
  ];
  for (const [what, dirMode, mode, uid, user, expected] of cases) {
    const dir = await tempDir(dirMode);
    try {
      const args = ["-c", ACTIVATE, join(dir, "h.sock"), mode.toString(8), String(uid), "0"];
      const line = await refusal("/usr/bin/python3", [
        ...args,
        ...FLAGS,
        MAIN,
        "--agent-user",
        user,
      ]);
      assert.match(line, /^felhom-root-helper: refusing to start: /, what);
      assert.match(line, expected, what);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test("main – systemd-socket-activate's socket (its mode comes from the umask) is refused", async (t) => {
  if (skip()) return t.skip(skip());
  if (!(await have("/usr/bin/systemd-socket-activate")))
    return t.skip("systemd-socket-activate is missing");
  const dir = await tempDir(0o700);
  try {
    const path = join(dir, "h.sock");
    const args = ["-l", path, "/usr/bin/node", ...FLAGS, MAIN, "--agent-user", "root"];
    const m = startMain("/usr/bin/systemd-socket-activate", args);
    // It execs the helper on the first connection.
    await m.said("Listening on");
    const poke = connect(path);
    poke.on("error", () => undefined);
    assert.equal(await m.exited, 1);
    poke.destroy();
    assert.match(
      m.stderr(),
      /felhom-root-helper: refusing to start: socket \S+ has mode [0-7]+, wider than 0660/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("main – adopts a correct systemd socket, serves hello, and exits 0 on SIGTERM", async (t) => {
  if (skip()) return t.skip(skip());
  if (!(await have("/usr/bin/python3")))
    return t.skip("python3 (used to hand over a listening socket) is missing");
  const dir = await tempDir(0o750);
  try {
    const path = join(dir, "h.sock");
    const m = startMain("/usr/bin/python3", [
      "-c",
      ACTIVATE,
      path,
      "660",
      "0",
      "0",
      ...FLAGS,
      MAIN,
      "--agent-user",
      "root",
    ]);
    const ready = await m.ready;
    assert.ok(ready.serving, m.stderr());
    assert.match(m.stderr(), new RegExp(`serving uid 0 gid 0 on ${path}`));
    const client = await HelperClient.connect(path);
    assert.equal(client.info?.protocol, "felhom-root-helper");
    client.close();
    m.child.kill("SIGTERM");
    assert.equal(await m.exited, 0);
    const audit = m
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      audit.map((a) => [a.method, a.decision, a.peer?.uid]),
      [
        ["(connect)", "ok", 0],
        ["helper.hello", "ok", 0],
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("main – --socket creates root:<agent group> 0660 itself and serves", async (t) => {
  if (skip()) return t.skip(skip());
  const dir = await tempDir(0o700);
  try {
    const path = join(dir, "h.sock");
    const m = startMain("/usr/bin/node", [
      ...FLAGS,
      MAIN,
      "--socket",
      path,
      "--agent-user",
      "root",
    ]);
    assert.ok((await m.ready).serving, m.stderr());
    const st = await stat(path);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o660, 0, 0]);
    const client = await HelperClient.connect(path);
    assert.equal((await client.hello()).version, 1);
    client.close();
    m.child.kill("SIGTERM");
    assert.equal(await m.exited, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("main – --socket checks its directory and every one above it before it creates anything", async (t) => {
  if (skip()) return t.skip(skip());
  const top = await tempDir(0o755);
  try {
    // mine/: another user's directory, so its owner could swap root's sub/ for a link at any time.
    const [mine, sub, open] = [join(top, "mine"), join(top, "mine", "sub"), join(top, "open")];
    await mkdir(sub, { recursive: true, mode: 0o755 });
    await chown(mine, 65534, 65534);
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o1777); // sticky, but the socket's own directory must be root's alone
    await symlink(top, join(top, "link"));
    const node = ["/usr/bin/node", ...FLAGS, MAIN, "--agent-user", "root", "--socket"];
    for (const [dir, bad] of [
      [sub, mine],
      [open, open],
      [join(top, "link"), join(top, "link")],
    ] as const) {
      const line = await refusal(node[0]!, [...node.slice(1), join(dir, "h.sock")]);
      assert.match(line, new RegExp(`refusing to start: ${bad} is not root's alone$`), dir);
      assert.equal(existsSync(join(dir, "h.sock")), false, `${dir}: a socket was created`);
    }
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});

test("main – without its peercred addon it refuses to start (fails closed)", async (t) => {
  if (skip()) return t.skip(skip());
  // A copy of dist/ inside the package (so packages still resolve) with no native/ beside it.
  const copy = await mkdtemp(join(PACKAGE_DIR, ".no-addon-"));
  try {
    await cp(join(PACKAGE_DIR, "dist"), join(copy, "dist"), { recursive: true });
    await mkdir(join(copy, "native"));
    const dir = await tempDir(0o700);
    const args = [
      ...FLAGS,
      join(copy, "dist", "main.js"),
      "--socket",
      join(dir, "h.sock"),
      "--agent-user",
      "root",
    ];
    const r = await run("/usr/bin/node", args, { env: ENV, timeoutMs: 15_000 });
    await rm(dir, { recursive: true, force: true });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^felhom-root-helper: cannot start: Cannot find module '..\/native\/build\/Release\/peercred.node'/m,
    );
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
});

test("main – every method works under --jitless --disallow-code-generation-from-strings (compiled code)", async (t) => {
  if (!built) return t.skip("dist/ is not built (npm run build)");
  const dir = await tempDir(0o700);
  try {
    // Runs in a child with the unit's flags: the compiled library, the compiled client, fake tools.
    const script = `
      import { startHelper } from ${JSON.stringify(join(PACKAGE_DIR, "dist/index.js"))};
      import { HelperClient } from "@felhom/helper-protocol";
      import { makeFakeHost, makeFakeTools, fixturePath } from "@felhom/test-support/fake-tools";
      import { mkdir, symlink } from "node:fs/promises";
      const root = ${JSON.stringify(dir)};
      const fake = await makeFakeTools(root + "/bin", { rules: {
        pct: [{ stdout: "created\\n" }],
        lsblk: [{ stdoutFile: fixturePath("lsblk-host.txt") }],
        sensors: [{ stdoutFile: fixturePath("sensors-nct6775.txt") }],
      } });
      const dirs = { unitDir: root + "/u", mountBase: root + "/m", byIdDir: root + "/b", devDir: root + "/d" };
      for (const d of Object.values(dirs)) await mkdir(d);
      Object.assign(dirs, await makeFakeHost(root, dirs.devDir));
      await symlink("../../sdb1", dirs.byIdDir + "/usb-X-0:0-part1");
      const helper = await startHelper({ tools: fake.tools, ...dirs, listen: { path: root + "/h.sock" },
        agentUid: process.getuid(), agentGid: process.getgid(), audit: () => {} });
      const c = await HelperClient.connect(helper.address);
      const out = [];
      out.push((await c.createContainer({ vmid: 9000, ostemplate: "local:vztmpl/d.tar.zst", storage: "local",
        hostname: "g", memory: 512, cores: 1, rootfsGiB: 4, bridge: "vmbr0" })).output[0]);
      out.push((await c.usbMount({ uuid: "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab", name: "b", fstype: "ext4" })).name);
      out.push((await c.usbUnmount({ name: "b" })).name);
      out.push(await c.smart({ device: "/dev/sda" }).catch((e) => e.code));
      out.push((await c.sensors()).readings.length);
      c.close();
      await helper.close();
      console.log(JSON.stringify(out));
    `;
    const r = await run("/usr/bin/node", [...FLAGS, "--input-type=module", "-e", script], {
      env: ENV,
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ["created", "b", "b", "HELPER_NOT_FOUND", 7]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
