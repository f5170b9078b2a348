// A booted Debian 13 container: a copy of the cached root under systemd-nspawn with systemd as PID 1. The host's
// PID 1 is not systemd (no machinectl), so commands run through nsenter into the container's PID 1 with a clean
// environment, as test-environment.md measured.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export interface Run {
  code: number;
  out: string;
  err: string;
  ms: number;
}

const CLEAN_ENV = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8", "TERM=dumb"];

/** Polls until fn returns a value other than undefined, or throws with the last state after `tries` tries. */
export async function until<T>(
  what: string,
  fn: () => T | undefined,
  { tries = 120, everyMs = 500 } = {},
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const why = last instanceof Error ? ` (${last.message})` : "";
  throw new Error(`timed out waiting for ${what}${why}`);
}

export class Container {
  readonly root: string;
  private readonly top: string;
  private nspawn: ChildProcess | undefined;
  private pid1 = 0;

  /** Copies the cached root (the cache itself is never booted, so every run starts from the same tree). */
  constructor(cachedRoot: string) {
    this.top = mkdtempSync("/var/tmp/felhom-systest-");
    this.root = join(this.top, "root");
    const cp = spawnSync("cp", ["-a", "--reflink=auto", cachedRoot, this.root]);
    if (cp.status !== 0) throw new Error(`cannot copy the root: ${cp.stderr.toString()}`);
  }

  /** Boots it and waits for PID 1 to reach a settled state (running or degraded). */
  async boot(): Promise<string> {
    const log = createWriteStream(join(this.top, "console.log"));
    const name = `felhom-${process.pid}`;
    this.nspawn = spawn(
      "systemd-nspawn",
      ["-q", "-D", this.root, `--machine=${name}`, "--boot", "--register=no", "--keep-unit"].concat(
        ["--private-network", "--console=pipe"],
      ),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.nspawn.stdout?.pipe(log);
    this.nspawn.stderr?.pipe(log);
    const nspawnPid = this.nspawn.pid ?? 0;
    let exited = false;
    this.nspawn.once("exit", () => (exited = true));
    this.pid1 = await until(
      "the container's PID 1",
      () => {
        if (exited) throw new Error(`systemd-nspawn exited: ${this.consoleTail()}`);
        return childrenOf(nspawnPid).find((p) => comm(p) === "systemd");
      },
      { tries: 120, everyMs: 250 },
    );
    return await until(
      "the container's systemd to settle",
      () => {
        if (exited) throw new Error(`systemd-nspawn exited: ${this.consoleTail()}`);
        const r = this.sh("systemctl is-system-running");
        return ["running", "degraded"].includes(r.out.trim()) ? r.out.trim() : undefined;
      },
      { tries: 240, everyMs: 500 },
    );
  }

  consoleTail(): string {
    try {
      return readFileSync(join(this.top, "console.log"), "utf8").split("\n").slice(-8).join(" | ");
    } catch {
      return "";
    }
  }

  private argv(cmd: readonly string[]): string[] {
    return ["-t", String(this.pid1), "-a", "env", "-i", ...CLEAN_ENV, ...cmd];
  }

  /** Runs a command inside and waits for it. */
  exec(cmd: readonly string[], timeoutMs = 120_000): Run {
    const t0 = performance.now();
    const r = spawnSync("nsenter", this.argv(cmd), {
      encoding: "utf8",
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    return {
      code: r.status ?? -1,
      out: r.stdout ?? "",
      err: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}`,
      ms: performance.now() - t0,
    };
  }

  /** Runs a shell line inside. */
  sh(script: string, timeoutMs?: number): Run {
    return this.exec(["sh", "-c", script], timeoutMs);
  }

  /** Starts a shell line inside without waiting; resolves with its result when it ends. */
  shAsync(script: string): Promise<Run> {
    const t0 = performance.now();
    const child = spawn("nsenter", this.argv(["sh", "-c", script]), {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    return new Promise((resolve) =>
      child.once("close", (code) =>
        resolve({ code: code ?? -1, out, err, ms: performance.now() - t0 }),
      ),
    );
  }

  /** Powers it off (SIGTERM to nspawn) and removes the copy. */
  async destroy(): Promise<void> {
    const n = this.nspawn;
    if (n && n.exitCode === null && n.signalCode === null) {
      const done = new Promise((r) => n.once("exit", r));
      n.kill("SIGTERM");
      const timer = setTimeout(() => n.kill("SIGKILL"), 60_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(this.top, { recursive: true, force: true });
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
