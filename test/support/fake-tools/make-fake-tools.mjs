// Fake tool binaries for the root helper's tests, the demo and the benchmarks: makeFakeTools(dir) copies the
// fake into dir under each tool's name and returns their paths, the rules they answer by, and the calls they saw.
import { chmod, copyFile, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
export const FAKE_TOOL_NAMES = ["pct", "systemctl", "smartctl", "sensors", "lsblk"];

/** Canned real-shaped outputs: file paths (for rules' stdoutFile) and their text. */
export const fixturePath = (name) => join(here, "fixtures", name);
export const fixture = (name) => readFileSync(fixturePath(name), "utf8");

/**
 * Writes the fakes into dir. options.rules: { [tool]: [{ when?: string[], stdout?, stdoutFile?, stderr?,
 * exitCode?, delayMs?, hang? }] }; the first rule whose `when` words all appear in argv answers, else exit 0.
 */
export async function makeFakeTools(dir, options = {}) {
  await mkdir(dir, { recursive: true });
  const tools = {};
  for (const name of FAKE_TOOL_NAMES) {
    tools[name] = join(dir, name);
    await copyFile(join(here, "fake-tool.mjs"), tools[name]);
    await chmod(tools[name], 0o755);
  }
  const rulesFile = join(dir, "fake-tools.json");
  const callsFile = join(dir, "calls.jsonl");
  const setRules = (rules) => writeFile(rulesFile, JSON.stringify(rules));
  await setRules(options.rules ?? {});
  await writeFile(callsFile, "");
  return {
    dir,
    tools,
    setRules,
    /** Every run so far, in order: { tool, argv, env, stdin, pid, fds }. */
    async calls() {
      const text = await readFile(callsFile, "utf8");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    clearCalls: () => writeFile(callsFile, ""),
  };
}

/** A golden policy that lets through every request of the tests, the demo and the flood soak. */
export const OPEN_POLICY = {
  allow: {
    ostemplate: ["*:vztmpl/*.tar.gz", "*:vztmpl/*.tar.xz", "*:vztmpl/*.tar.zst"],
    storage: ["local", "local-lvm", "local-zfs"],
    bridge: ["vmbr0", "vmbr1"],
  },
  max: { rootfsGiB: 131_072, memory: 4_194_304, cores: 8192 },
  vmids: [100, 999_999_999],
  maxContainers: 10_000,
};

/**
 * The host the lsblk-host fixture describes, under root: sysfs with a hwmon class and each USB disk (and its partitions, no
 * holders) below its own USB device (vendor 0781, product 55a<N>, bus-port 2-<N+1>), a plain file in devDir
 * per mountable device (a partition, or a disk without any; it opens exclusively; existing entries are kept), an empty pmxcfs and a golden policy file owned
 * by this process (options.policy, default OPEN_POLICY). Returns the helper's sysDir, pveDir and goldenPolicy.
 */
export async function makeFakeHost(root, devDir, options = {}) {
  const [sysDir, pveDir] = [join(root, "sys"), join(root, "pve")];
  const { blockdevices } = JSON.parse(fixture("lsblk-host.txt"));
  const disks = blockdevices.filter((d) => d.type === "disk" && d.tran === "usb");
  await mkdir(join(sysDir, "block"), { recursive: true });
  await mkdir(join(sysDir, "class", "hwmon"), { recursive: true }); // sensors runs only where hwmon exists
  for (const [i, disk] of disks.entries()) {
    const usb = join(sysDir, "devices", "usb2", `2-${i + 1}`);
    const block = join(usb, `2-${i + 1}:1.0`, "host6", "block", disk.name);
    await mkdir(join(block, "holders"), { recursive: true });
    await writeFile(join(usb, "idVendor"), "0781\n");
    await writeFile(join(usb, "idProduct"), `55a${i}\n`);
    await symlink(join("..", block.slice(sysDir.length + 1)), join(sysDir, "block", disk.name));
    const parts = blockdevices.filter((d) => d.pkname === disk.name).map((d) => d.name);
    for (const part of parts) await mkdir(join(block, part, "holders"), { recursive: true });
    for (const name of parts.length > 0 ? parts : [disk.name])
      await writeFile(join(devDir, name), "", { flag: "wx" }).catch(() => undefined);
  }
  for (const kind of ["lxc", "qemu-server"])
    await mkdir(join(pveDir, "nodes", "pve1", kind), { recursive: true });
  const goldenPolicy = join(root, "golden-policy.json");
  await writeFile(goldenPolicy, JSON.stringify(options.policy ?? OPEN_POLICY), { mode: 0o644 });
  await chmod(goldenPolicy, 0o644);
  return { sysDir, pveDir, goldenPolicy };
}
