// The demo's root-helper sandbox: fake pct, systemctl, smartctl, sensors and lsblk (root-helper's reusable fakes,
// with the demo's own pct that registers the container in the simulator), temp unit, mount and by-id
// directories, and the helper itself in a child process with the production flags.
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  fixturePath as fixture,
  makeFakeHost,
  makeFakeTools,
} from "../fake-tools/make-fake-tools.mjs";

/** The USB disk the fake lsblk reports (root-helper's fixture): partition sdb1 of a USB-attached sdb. */
export const USB_UUID = "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab";
const USB_LINK = "usb-SanDisk_Extreme_55AE_4C530001231125104093-0:0-part1";

export interface Sandbox {
  socket: string;
  unitDir: string;
  /** A device hw.smart can query here, or undefined (with `smartNote` saying why). */
  smartDevice: string | undefined;
  smartNote: string;
  helperPid: number;
  /** The helper's audit lines (JSON, one per request), as it wrote them to stderr. */
  audit: string[];
  /** True once the helper process has exited. */
  exited(): boolean;
  close(): Promise<void>;
}

export interface SandboxOptions {
  dir: string;
  root: string;
  sim: { url: string; ca: string; adminSecret: string };
  /** Node arguments that start the helper (the config file is appended); default: the built helper-process.js. */
  helperArgs?: readonly string[];
  /** Environment of the helper process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Finds a block device for the SMART step: a node we make (root) or an existing /dev/sdX or /dev/nvmeNnM. */
async function smartDevice(
  dir: string,
): Promise<{ devDir: string; device?: string; note: string }> {
  if (process.getuid?.() === 0) {
    const devDir = join(dir, "dev");
    await mkdir(devDir);
    // A block node with the numbers of an unused loop device: only its type is checked, the fake smartctl reads it.
    const r = spawnSync("mknod", ["-m", "0600", join(devDir, "sda"), "b", "7", "200"], {
      stdio: "ignore",
    });
    if (r.status === 0) return { devDir, device: "/dev/sda", note: "a sandbox block node" };
  }
  for (const name of (await readdir("/dev").catch(() => [] as string[])).sort()) {
    if (!/^(?:sd[a-z]|nvme[0-9]n[0-9])$/.test(name)) continue;
    const st = await stat(join("/dev", name)).catch(() => undefined);
    if (st?.isBlockDevice() === true)
      return { devDir: "/dev", device: `/dev/${name}`, note: `this machine's ${name}` };
  }
  return {
    devDir: join(dir, "dev"),
    note: "no /dev/sdX or /dev/nvmeNnM here, and making a device node needs root",
  };
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const { dir, root } = opts;
  const tools = await makeFakeTools(join(dir, "tools"), {
    rules: {
      sensors: [{ stdoutFile: fixture("sensors-coretemp-drivetemp.txt") }],
      smartctl: [{ stdoutFile: fixture("smartctl-sata-ssd.txt") }],
      lsblk: [{ stdoutFile: fixture("lsblk-host.txt") }],
      systemctl: [{ exitCode: 0 }],
    },
  });
  await copyFile(join(root, "demo", "fake-pct.mjs"), tools.tools.pct);
  await chmod(tools.tools.pct, 0o755);
  await writeFile(
    join(tools.dir, "sim-admin.json"),
    JSON.stringify({ url: opts.sim.url, ca: opts.sim.ca, secret: opts.sim.adminSecret }),
    { mode: 0o600 },
  );

  const unitDir = join(dir, "units");
  const mountBase = join(dir, "mnt");
  const byIdDir = join(dir, "by-id");
  for (const d of [unitDir, mountBase, byIdDir]) await mkdir(d);
  await symlink("../../sdb1", join(byIdDir, USB_LINK));
  const smart = await smartDevice(dir);
  await mkdir(smart.devDir, { recursive: true });
  const host = await makeFakeHost(dir, smart.devDir); // sysfs, pmxcfs and the golden policy the helper reads

  const socket = join(dir, "helper.sock");
  const configFile = join(dir, "helper.json");
  await writeFile(
    configFile,
    JSON.stringify({
      tools: tools.tools,
      listen: { path: socket },
      agentUid: process.getuid?.() ?? 0,
      agentGid: process.getgid?.() ?? 0,
      unitDir,
      mountBase,
      byIdDir,
      devDir: smart.devDir,
      ...host,
    }),
  );
  const helperArgs = opts.helperArgs ?? [
    "--jitless",
    "--disallow-code-generation-from-strings",
    join(root, "demo/dist/helper-process.js"),
  ];
  const child: ChildProcess = spawn(process.execPath, [...helperArgs, configFile], {
    stdio: ["pipe", "pipe", "pipe"],
    ...(opts.env ? { env: opts.env } : {}),
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => ((exited = true), resolve())),
  );
  const audit: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on("line", (l) => audit.push(l));
  await new Promise<void>((resolve, reject) => {
    // A liveness bound, not a budget: the helper either says "ready" or exits (both handled below); only a
    // helper hung at start reaches it, and 10 s was reached by a healthy one on a loaded machine.
    const timer = setTimeout(
      () => reject(new Error("the root helper did not start within 120 s")),
      120_000,
    );
    if (child.stdout) {
      createInterface({ input: child.stdout }).on("line", (l) => {
        if (l.startsWith("ready ")) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`the root helper exited (${code}) at start: ${audit.join(" ").slice(0, 300)}`),
      );
    });
  });

  return {
    socket,
    unitDir,
    smartDevice: smart.device,
    smartNote: smart.note,
    helperPid: child.pid ?? -1,
    audit,
    exited: () => exited,
    async close() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
