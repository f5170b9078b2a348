// The root helper's cold start as systemd would do it: systemd-socket-activate holds the socket and execs the
// production entry (packages/root-helper/dist/main.js, production flags) on the first connection; timed from
// connect() until the hello is answered. Production mode insists on root and a socket root:<agent group> 0660
// in a root-only directory; systemd-socket-activate does not apply SocketMode=, so the bench chmods it.
import { spawn } from "node:child_process";
import { chmod, stat } from "node:fs/promises";
import { join } from "node:path";
import { HelperClient } from "@felhom/helper-protocol";
import { BENCH_DIR, REPO_ROOT } from "../lib/paths.js";
import { processRssBytes } from "../lib/proc.js";
import { HELPER_NODE_FLAGS } from "../lib/unit-flags.js";

export const HELPER_MAIN = join(REPO_ROOT, "packages/root-helper/dist/main.js");

export interface ColdStart {
  /** connect() → hello answered, in ms. */
  ms: number;
  /** The helper's RSS right after answering, in bytes. */
  rssBytes: number;
}

/** Why a production-mode cold start cannot run here, or undefined if it can. */
export function coldStartUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "the production entry refuses to start unless root";
  return undefined;
}

async function waitForSocket(path: string, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const st = await stat(path).catch(() => undefined);
    if (st?.isSocket()) return;
    if (performance.now() > until)
      throw new Error(`systemd-socket-activate made no socket at ${path}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * What systemd-socket-activate execs: the production entry (`main`; the agent user is root, the only identity
 * the bench has), or the library entry adopting fd 3 with the bench's fake tools (`library`, a config file made
 * by startHelperProcess's caller) when the production entry cannot start here.
 */
export type ColdEntry = { kind: "main" } | { kind: "library"; configFile: string };

/** One activation in dir (root-owned, mode 0700). */
export async function coldStart(dir: string, index: number, entry: ColdEntry): Promise<ColdStart> {
  const socket = join(dir, `activate-${index}.sock`);
  const program =
    entry.kind === "main"
      ? [HELPER_MAIN, "--agent-user", "root"]
      : [join(BENCH_DIR, "helper/helper-child.mjs"), entry.configFile];
  const args = ["-l", socket, process.execPath, ...HELPER_NODE_FLAGS, ...program];
  const child = spawn("systemd-socket-activate", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-3000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForSocket(socket, 5_000);
    await chmod(socket, 0o660); // root:root; the agent group is root's
    const t0 = performance.now();
    const client = await HelperClient.connect(socket, { connectTimeoutMs: 10_000 });
    const ms = performance.now() - t0;
    const rssBytes = processRssBytes(child.pid ?? -1); // systemd-socket-activate exec'd into the helper
    client.close();
    return { ms, rssBytes };
  } catch (err) {
    // The helper's own one-line reason arrives as it exits: wait for it.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
    const said = /felhom-root-helper: [^\n]*/.exec(stderr)?.[0] ?? stderr.trim().split("\n").pop();
    throw new Error(`${(err as Error).message}; ${said ?? ""}`, { cause: err });
  } finally {
    if (child.exitCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
