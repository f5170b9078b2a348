// The root helper for the bench, in its own process: the library entry (helper/helper-child.mjs) with the node
// flags of deploy/felhom-root-helper.service, fake tools from @felhom/test-support in a temp dir,
// serving this process's uid and gid. Its audit lines (stderr) are counted, so a scenario can check what was served.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fixturePath, makeFakeHost, makeFakeTools } from "@felhom/test-support/fake-tools";
import type { FakeTools } from "@felhom/test-support/fake-tools";
import { BENCH_DIR } from "./paths.js";
import { processPrivateBytes, processRssBytes } from "./proc.js";
import { HELPER_NODE_FLAGS } from "./unit-flags.js";
import { eventsIn } from "@felhom/helper-protocol";

export interface HelperProcess {
  socket: string;
  pid: number;
  tools: Record<string, string>;
  /** Audit records seen so far, by method and decision ("hw.sensors ok" → n). */
  audited(method: string, decision?: string): number;
  rssBytes(): number;
  privateBytes(): number;
  close(): Promise<void>;
}

/** The fake tools (sensors answers with real `sensors -j` output from the shared fixtures). */
export async function makeBenchTools(dir: string): Promise<FakeTools> {
  return makeFakeTools(join(dir, "bin"), {
    rules: { sensors: [{ stdoutFile: fixturePath("sensors-coretemp-drivetemp.txt") }] },
  });
}

/** Writes the library entry's config (fake tools, temp dirs, this process's uid/gid) into dir. */
export async function writeHelperConfig(
  dir: string,
  listen: { path: string } | { fd: number },
): Promise<{ configFile: string; tools: Record<string, string> }> {
  const fake = await makeBenchTools(dir);
  const dirs = { unitDir: "units", mountBase: "mnt", byIdDir: "by-id", devDir: "dev" };
  const config: Record<string, unknown> = { tools: fake.tools };
  for (const [k, d] of Object.entries(dirs)) {
    config[k] = join(dir, d);
    await mkdir(join(dir, d), { recursive: true });
  }
  // sysfs, pmxcfs and the golden policy the helper also reads (fakes, like the tools).
  Object.assign(config, await makeFakeHost(dir, join(dir, "dev")));
  Object.assign(config, { listen, agentUid: process.getuid?.(), agentGid: process.getgid?.() });
  const configFile = join(dir, "helper-config.json");
  await writeFile(configFile, JSON.stringify(config));
  return { configFile, tools: fake.tools };
}

export async function startHelperProcess(dir: string): Promise<HelperProcess> {
  const socket = join(dir, "helper.sock");
  const { configFile, tools } = await writeHelperConfig(dir, { path: socket });
  const child = spawn(
    process.execPath,
    [...HELPER_NODE_FLAGS, join(BENCH_DIR, "helper/helper-child.mjs"), configFile],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const counts = new Map<string, number>();
  let errText = "";
  createInterface({ input: child.stderr }).on("line", (line) => {
    try {
      const r = JSON.parse(line) as { method?: string; decision?: string; repeated?: number };
      // A summary of coalesced audit lines stands for `repeated` more of its kind.
      for (const key of [`${r.method}`, `${r.method} ${r.decision}`])
        counts.set(key, (counts.get(key) ?? 0) + eventsIn(r));
    } catch {
      errText = (errText + line + "\n").slice(-2000);
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`helper not ready in 15 s: ${errText}`)),
      15_000,
    );
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      if (line.startsWith("ready ")) resolve();
      else reject(new Error(`helper said ${line}: ${errText}`));
    });
    child.once("exit", (code) => reject(new Error(`helper exited ${code}: ${errText}`)));
  });
  const pid = child.pid ?? -1;
  return {
    socket,
    pid,
    tools,
    audited: (method, decision) => counts.get(decision ? `${method} ${decision}` : method) ?? 0,
    rssBytes: () => processRssBytes(pid),
    privateBytes: () => processPrivateBytes(pid),
    async close() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
