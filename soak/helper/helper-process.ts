// Starts the compiled root helper in its own process with the sh fake tools, temp directories (units, mounts,
// by-id links, device nodes) and the given limits; tallies its audit lines and scans them; reports its memory.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import type { Dirs, Limits } from "@felhom/root-helper";
import { HELPER_NODE_FLAGS } from "../../bench/lib/unit-flags.js";
import { peakRssOf, rssOf } from "../lib/memory.js";
import type { SecretScan } from "../lib/secret-scan.js";
import { makeFakeHost } from "@felhom/test-support/fake-tools";
import { makeFakeShTools, type FakeShTools, type ToolName } from "./fake-tools.js";
import { eventsIn } from "@felhom/helper-protocol";

const CHILD = fileURLToPath(new URL("./helper-child.mjs", import.meta.url));
/** The node flags of deploy/felhom-root-helper.service (read from the unit, so they cannot drift). */
export const PRODUCTION_FLAGS = HELPER_NODE_FLAGS;
export const isRoot = process.getuid?.() === 0;

/** udev-style by-id links for the lsblk fixture's USB disks (as the root helper's own tests lay them out). */
const BY_ID: ReadonlyArray<readonly [string, string]> = [
  ["usb-SanDisk_Ultra_4C530001230110111084-0:0", "../../sdb"],
  ["usb-SanDisk_Ultra_4C530001230110111084-0:0-part1", "../../sdb1"],
  ["usb-Generic_Flash_Disk_8E3B1A2C-0:0", "../../sde"],
];
/** Block device nodes (made only as root) that hw.smart may query; sdc is a symlink and sdd a plain file. */
export const BLOCK_DEVICES: ReadonlyArray<readonly [string, number, number]> = [
  ["sda", 8, 0],
  ["sdb", 8, 16],
  ["nvme0n1", 259, 0],
];

export interface SettledMemory {
  rss: number;
  heapUsed: number;
  external: number;
}

export interface AuditTally {
  lines: number;
  connects: { ok: number; denied: number };
  requests: { ok: number; denied: number; failed: number };
  unparsable: number;
}

export interface HelperProcess {
  pid: number;
  root: string;
  socket: string;
  dirs: Dirs;
  fake: FakeShTools;
  canary: string;
  audit: AuditTally;
  /** Whether device nodes could be made (root). */
  devices: boolean;
  alive(): boolean;
  rss(): number | undefined;
  /** RSS after two full collections inside the helper (SIGUSR2 to the soak's wrapper). */
  settledRss(): Promise<number>;
  /** RSS, V8 heap in use and external/ArrayBuffer memory, after two full collections. */
  settledMemory(): Promise<SettledMemory>;
  peakRss(): number | undefined;
  stderrTail(): string;
  stop(): Promise<{ code: number | null; signal: string | null }>;
}

export interface HelperProcessOptions {
  limits?: Partial<Limits>;
  delayMs?: Partial<Record<ToolName, number>>;
  scan?: SecretScan;
  /** Make block device nodes for hw.smart (root only; default true). */
  devices?: boolean;
}

export async function startHelperProcess(opts: HelperProcessOptions = {}): Promise<HelperProcess> {
  const root = await mkdtemp(join(tmpdir(), "soak-helper-"));
  await chmod(root, 0o755);
  const canary = `CANARY-${randomBytes(8).toString("hex")}`;
  const fake = await makeFakeShTools(root, canary, opts.delayMs);
  const made = {
    unitDir: join(root, "units"),
    mountBase: join(root, "mnt"),
    byIdDir: join(root, "by-id"),
    devDir: join(root, "dev"),
  };
  for (const d of Object.values(made)) await mkdir(d);
  const dirs: Dirs = { ...made, ...(await makeFakeHost(root, made.devDir)) };
  for (const [link, target] of BY_ID) await symlink(target, join(dirs.byIdDir, link));
  let devices = false;
  if (isRoot && opts.devices !== false) {
    for (const [name, major, minor] of BLOCK_DEVICES)
      execFileSync("/usr/bin/mknod", [join(dirs.devDir, name), "b", String(major), String(minor)]);
    devices = true;
  }
  await symlink("/dev/null", join(dirs.devDir, "sdc"));
  await writeFile(join(dirs.devDir, "sdd"), "");
  const socket = join(root, "helper.sock");
  const config = {
    tools: fake.tools,
    ...dirs,
    listen: { path: socket },
    agentUid: process.getuid?.() ?? -1,
    agentGid: process.getgid?.() ?? -1,
    ...(opts.limits ? { limits: opts.limits } : {}),
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [...PRODUCTION_FLAGS, "--expose-gc", CHILD, JSON.stringify(config)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const audit: AuditTally = {
    lines: 0,
    connects: { ok: 0, denied: 0 },
    requests: { ok: 0, denied: 0, failed: 0 },
    unparsable: 0,
  };
  let tail = "";
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
    // V8 says this once under --jitless; it is node's, not an audit line.
    if (line === "Warning: disabling flag --expose_wasm due to conflicting flags") return;
    audit.lines++;
    opts.scan?.scan("helper audit log", line);
    if (line.includes(canary)) tail = `${tail}\nCANARY IN AUDIT: ${line}`.slice(-4000);
    try {
      const rec = JSON.parse(line) as {
        method?: string;
        decision?: "ok" | "denied" | "failed";
        repeated?: number;
      };
      if (rec.decision === undefined) throw new Error("no decision");
      // A summary of coalesced lines stands for `repeated` more of its kind; an "(after timeout)" line is the
      // late outcome of a request already audited.
      const n = eventsIn(rec);
      if (rec.method === "(connect)") audit.connects[rec.decision === "ok" ? "ok" : "denied"] += n;
      else if (rec.method !== "(after timeout)") audit.requests[rec.decision] += n;
    } catch {
      audit.unparsable++;
      tail = `${tail}\n${line}`.slice(-4000);
    }
  });
  // 'close': the process has exited and its stderr (the audit, with its last coalesced summaries) is read.
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const rssWaiters: Array<(m: SettledMemory) => void> = [];
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`the helper exited (${code}) before it was ready: ${tail}`));
    child.once("exit", onExit);
    stdout.on("line", (line) => {
      if (line.startsWith("ready ")) {
        child.off("exit", onExit);
        resolve();
      } else if (line.startsWith("rss ")) {
        const [rss, heapUsed, external] = line.slice(4).split(" ").map(Number);
        rssWaiters.shift()?.({ rss: rss ?? 0, heapUsed: heapUsed ?? 0, external: external ?? 0 });
      }
    });
  });
  const pid = child.pid ?? -1;
  const settledMemory = (): Promise<SettledMemory> =>
    new Promise<SettledMemory>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null)
        return reject(new Error("the helper has exited"));
      const onExit = (): void => reject(new Error(`the helper exited: ${tail}`));
      child.once("exit", onExit);
      rssWaiters.push((m) => (child.off("exit", onExit), resolve(m)));
      child.kill("SIGUSR2");
    });
  return {
    pid,
    root,
    socket,
    dirs,
    fake,
    canary,
    audit,
    devices,
    alive: () => child.exitCode === null && child.signalCode === null,
    rss: () => rssOf(pid),
    settledRss: async () => (await settledMemory()).rss,
    settledMemory,
    peakRss: () => peakRssOf(pid),
    stderrTail: () => tail,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const result = await exited;
      clearTimeout(timer);
      await rm(root, { recursive: true, force: true });
      return result;
    },
  };
}
