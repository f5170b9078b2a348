#!/usr/bin/node
// felhom-root-helper, production mode: fixed tool paths and directories, root only, serving only the agent user
// on a socket owned by root with group-only access. Anything else stops it with one line on stderr.
import { chmodSync, lchownSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { dirname } from "node:path";
import { PRODUCTION } from "./config.js";
import { startHelper } from "./server.js";

class Refusal extends Error {}
function check(ok: boolean, reason: string): asserts ok {
  if (!ok) throw new Refusal(reason);
}

try {
  check(process.getuid?.() === 0, "it must run as root");
  process.umask(0o077);
  // Two options only: --socket PATH (run by hand) and --agent-user NAME (default felhom).
  const opts = new Map<string, string>();
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 2) opts.set(args[i] ?? "", args[i + 1] ?? "");
  const [socket, user] = [opts.get("--socket"), opts.get("--agent-user") ?? "felhom"];
  const known = [...opts.keys()].every((k) => k === "--socket" || k === "--agent-user");
  const valid = (socket?.startsWith("/") ?? true) && /^[a-z_][a-z0-9_-]{0,31}$/.test(user);
  check(known && valid, "usage: felhom-root-helper [--socket /PATH] [--agent-user NAME]");
  // The agent's uid and primary gid from /etc/passwd: the peer identity served (besides root).
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  const fields = passwd.find((line) => line.startsWith(`${user}:`))?.split(":") ?? [];
  const id = (v?: string): number => (/^[0-9]{1,10}$/.test(v ?? "") ? Number(v) : -1);
  const [uid, gid] = [id(fields[2]), id(fields[3])];
  check(uid >= 0 && gid >= 0, `no user ${user} in /etc/passwd`);
  const env = process.env;
  const fromSystemd = env.LISTEN_PID === String(process.pid) && env.LISTEN_FDS === "1";
  check(socket !== undefined || fromSystemd, "no --socket PATH and no systemd socket for this pid");
  for (const name of ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]) delete env[name];
  // --socket, before anything is created: no link or `..` in the directory's path, and it and every directory
  // above it root's and writable by nobody else (above it, sticky ones like /tmp also do: there nobody can move
  // what root owns). Then nobody can put a link where the socket is bound, and chmod below acts on that socket.
  for (let d = dirname(socket ?? "/"), top = d; d !== "/"; d = dirname(d)) {
    const st = lstatSync(d);
    const sticky = d !== top && (st.mode & 0o1000) !== 0;
    const safe = st.isDirectory() && st.uid === 0 && ((st.mode & 0o022) === 0 || sticky);
    check(safe && realpathSync(top) === top, `${d} is not root's alone`);
  }
  const helper = await startHelper({
    ...PRODUCTION,
    listen: socket !== undefined ? { path: socket } : { fd: 3 },
    agentUid: uid,
    agentGid: gid,
    // Before the first connection: the socket must be root:<agent group>, 0660 or tighter, in a directory
    // owned by root that group and others cannot write.
    verifySocket: (path) => {
      if (socket !== undefined) chmodSync(path, 0o660);
      if (socket !== undefined) lchownSync(path, 0, gid);
      const [st, dir] = [lstatSync(path), lstatSync(dirname(path))];
      const mode = (st.mode & 0o7777).toString(8);
      check(st.isSocket() && st.uid === 0, `${path} is not a socket owned by root`);
      check(st.gid === gid, `socket ${path} has group ${st.gid}, not the agent's group ${gid}`);
      check((st.mode & 0o7117) === 0, `socket ${path} has mode ${mode}, wider than 0660`);
      check(dir.uid === 0 && (dir.mode & 0o022) === 0, `${dirname(path)} is not root's alone`);
    },
  });
  process.stderr.write(`felhom-root-helper: serving uid ${uid} gid ${gid} on ${helper.address}\n`);
  const stop = (): void => void helper.close().then(() => process.exit(0));
  process.once("SIGTERM", stop).once("SIGINT", stop);
} catch (err) {
  const what = err instanceof Refusal ? "refusing to start" : "cannot start";
  const reason = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");
  process.stderr.write(`felhom-root-helper: ${what}: ${reason}\n`);
  process.exit(1);
}
