// Small helpers of root-helper's own tests: a raw connection, running a command, waiting for a socket to close.
// The helper these tests start (startTestHelper) lives in the workspace-only test support, shared with test/.
import { execFile } from "node:child_process";
import { connectionFromStreams } from "@felhom/helper-protocol";
import { connect } from "node:net";

export const isRoot = process.getuid?.() === 0;
export const PACKAGE_DIR = new URL("..", import.meta.url).pathname;

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
