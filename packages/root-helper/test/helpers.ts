// Shared test set-up: a helper started through the library entry, with fake tools and its directories in a
// temp folder, serving this process's own uid and gid; plus small process helpers.
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelperClient, connectionFromStreams } from "@felhom/helper-protocol";
import { connect } from "node:net";
import { startHelper } from "../src/index.js";
import type { Dirs, Limits } from "../src/index.js";
import { makeFakeHost, makeFakeTools } from "@felhom/test-support/fake-tools";
import type { FakeRules, FakeTools } from "@felhom/test-support/fake-tools";

export const isRoot = process.getuid?.() === 0;
export const PACKAGE_DIR = new URL("..", import.meta.url).pathname;

export interface TestHelper {
  root: string;
  socket: string;
  fake: FakeTools;
  dirs: Dirs;
  audit: Array<Record<string, unknown>>;
  connect(): Promise<HelperClient>;
  close(): Promise<void>;
}

/** Starts a helper (library mode) on a fresh socket with fake tools; close() stops it and removes the folder. */
export async function startTestHelper(
  opts: {
    rules?: FakeRules;
    limits?: Partial<Limits>;
    agent?: { uid: number; gid: number };
    policy?: unknown;
  } = {},
): Promise<TestHelper> {
  const root = await mkdtemp(join(tmpdir(), "rh-"));
  await chmod(root, 0o755); // children that drop privileges must be able to reach the socket
  const fake = await makeFakeTools(join(root, "bin"), opts.rules ? { rules: opts.rules } : {});
  const made = {
    unitDir: join(root, "units"),
    mountBase: join(root, "mnt"),
    byIdDir: join(root, "disk", "by-id"),
    devDir: join(root, "dev"),
  };
  for (const d of Object.values(made)) await mkdir(d, { recursive: true });
  const host = await makeFakeHost(
    root,
    made.devDir,
    "policy" in opts ? { policy: opts.policy } : {},
  );
  const dirs: Dirs = { ...made, ...host };
  const audit: Array<Record<string, unknown>> = [];
  const helper = await startHelper({
    tools: fake.tools,
    ...dirs,
    listen: { path: join(root, "h.sock") },
    agentUid: opts.agent?.uid ?? process.getuid?.() ?? -1,
    agentGid: opts.agent?.gid ?? process.getgid?.() ?? -1,
    ...(opts.limits ? { limits: opts.limits } : {}),
    audit: (line) => audit.push(JSON.parse(line) as Record<string, unknown>),
  });
  return {
    root,
    socket: helper.address,
    fake,
    dirs,
    audit,
    connect: () => HelperClient.connect(helper.address),
    close: async () => {
      await helper.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A raw JSON-RPC connection (no client-side validation), for sending what the typed stub would refuse. */
export function rawConnection(path: string) {
  const socket = connect(path);
  socket.on("error", () => undefined);
  const conn = connectionFromStreams(socket, socket);
  conn.listen();
  return {
    conn,
    socket,
    close: () => {
      conn.dispose();
      socket.destroy();
    },
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (tests only) and resolves with its exit code and output, never rejecting. */
export function run(
  file: string,
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 20_000, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Whether an absolute binary exists (tests that need it skip with a reason otherwise). */
export async function have(file: string): Promise<boolean> {
  return (await run("/usr/bin/test", ["-x", file])).code === 0;
}

/**
 * Resolves when the socket closes. The bound only ends a hung test (the helper never closed it); it is not a
 * budget: a loaded machine may take any time below it.
 */
export function whenClosed(socket: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("still open after 120 s")), 120_000);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
