// The pure builders against the design's literal command lines, systemd path escaping against systemd-escape
// itself, and the generated mount units against `systemd-analyze verify`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { MountName, methodNames } from "@felhom/helper-protocol";
import { PRODUCTION, argv, escapePath, mountOptions, renderMountUnit } from "../src/index.js";
import { UNIT_MARKER } from "../src/index.js";
import { PACKAGE_DIR, have, run } from "./helpers.js";

const tools = PRODUCTION.tools;

test("argv – pct create is exactly the design table's command line", () => {
  const built = argv.pctCreate(tools, {
    vmid: 9000,
    ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
    storage: "local-lvm",
    hostname: "golden",
    memory: 1024,
    cores: 2,
    rootfsGiB: 8,
    bridge: "vmbr0",
  });
  const design =
    "/usr/sbin/pct create 9000 local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst --storage local-lvm " +
    "--hostname golden --memory 1024 --cores 2 --rootfs local-lvm:8 " +
    "--net0 name=eth0,bridge=vmbr0,ip=dhcp --unprivileged 1 --features nesting=1,keyctl=1";
  assert.deepEqual(built, design.split(" "));
});

test("argv – systemctl, smartctl, sensors and lsblk command lines", () => {
  const unit = "mnt-felhom-backup.mount";
  assert.deepEqual(argv.daemonReload(tools), ["/usr/bin/systemctl", "daemon-reload"]);
  assert.deepEqual(argv.systemctlNow(tools, "enable", unit), [
    "/usr/bin/systemctl",
    "enable",
    "--now",
    "--",
    unit,
  ]);
  assert.deepEqual(argv.systemctlNow(tools, "disable", unit), [
    "/usr/bin/systemctl",
    "disable",
    "--now",
    "--",
    unit,
  ]);
  assert.deepEqual(argv.smartctl(tools, "/dev/nvme0n1"), [
    "/usr/sbin/smartctl",
    "--json=c",
    "--all",
    "--",
    "/dev/nvme0n1",
  ]);
  assert.deepEqual(argv.sensors(tools), ["/usr/bin/sensors", "-j"]);
  assert.deepEqual(argv.lsblk(tools), [
    "/usr/bin/lsblk",
    "--json",
    "--bytes",
    "--list",
    "--output",
    "NAME,PATH,TYPE,TRAN,UUID,FSTYPE,MOUNTPOINTS,PKNAME",
  ]);
});

test("argv – production tool paths are absolute and fixed", () => {
  assert.deepEqual(PRODUCTION.tools, {
    pct: "/usr/sbin/pct",
    systemctl: "/usr/bin/systemctl",
    smartctl: "/usr/sbin/smartctl",
    sensors: "/usr/bin/sensors",
    lsblk: "/usr/bin/lsblk",
  });
  assert.ok(Object.isFrozen(PRODUCTION) && Object.isFrozen(PRODUCTION.tools));
  assert.equal(PRODUCTION.mountBase, "/mnt/felhom");
  assert.equal(PRODUCTION.unitDir, "/etc/systemd/system");
});

test("mount unit name – escapePath matches systemd-escape --path for mount names and odd paths", async (t) => {
  if (!(await have("/usr/bin/systemd-escape"))) return t.skip("systemd-escape is not installed");
  const names = fc.sample(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/), {
    numRuns: 300,
    seed: 42,
  });
  const paths = [
    ...names.filter((n) => MountName.safeParse(n).success).map((n) => `/mnt/felhom/${n}`),
    "/mnt/felhom/usb-backup",
    "/tmp/rh-Ab12_x/mnt/a.b",
    "/mnt//double///slash/",
    "/.hidden/x",
    "/a b/c:d/e_f/g\\h/%i",
    "/",
  ];
  const real = await run("/usr/bin/systemd-escape", ["--path", "--suffix=mount", ...paths]);
  assert.equal(real.code, 0, real.stderr);
  assert.deepEqual(
    paths.map((p) => `${escapePath(p)}.mount`),
    real.stdout.trim().split(/\s+/),
  );
});

test("mount unit – the text: marker first, fixed options, started by PID 1 from multi-user.target", () => {
  const text = renderMountUnit({
    name: "backup",
    what: "/dev/disk/by-id/usb-SanDisk_Ultra_4C530001-0:0-part1",
    where: "/mnt/felhom/backup",
    type: "ext4",
    options: "nosuid,nodev,noexec,nofail",
  });
  assert.ok(text.startsWith(`${UNIT_MARKER}\n[Unit]\n`));
  assert.match(
    text,
    /^\[Mount\]\nWhat=\/dev\/disk\/by-id\/usb-SanDisk_Ultra_4C530001-0:0-part1\nWhere=\/mnt\/felhom\/backup\nType=ext4\nOptions=nosuid,nodev,noexec,nofail\n/m,
  );
  assert.doesNotMatch(text, /x-systemd|%/);
  assert.match(text, /^\[Install\]\nWantedBy=multi-user.target\n$/m);
});

test("mount unit – systemd-analyze verify accepts every generated unit and refuses a misnamed one", async (t) => {
  if (!(await have("/usr/bin/systemd-analyze"))) return t.skip("systemd-analyze is not installed");
  const dir = await mkdtemp(join(tmpdir(), "rh-verify-"));
  try {
    const fstypes = ["ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs3"];
    const names = ["backup", "usb-1", "0", "a-b-c-d", "x".repeat(32)];
    for (const [i, name] of names.entries()) {
      const type = fstypes[i % fstypes.length]!;
      const where = `/mnt/felhom/${name}`;
      const file = join(dir, `${escapePath(where)}.mount`);
      const what = "/dev/disk/by-id/usb-Generic_Flash_Disk_8E3B1A2C-0:0-part1";
      await writeFile(
        file,
        renderMountUnit({ name, what, where, type, options: mountOptions(type, 999, 999) }),
      );
      const r = await run("/usr/bin/systemd-analyze", ["verify", "--man=no", file]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), "", `${name}: systemd-analyze warned`);
    }
    const wrong = join(dir, "mnt-felhom-other.mount");
    const what = "/dev/disk/by-id/usb-x";
    await writeFile(
      wrong,
      renderMountUnit({ name: "b", what, where: "/mnt/felhom/backup", type: "ext4", options: "" }),
    );
    const r = await run("/usr/bin/systemd-analyze", ["verify", "--man=no", wrong]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Where= setting doesn't match unit name/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("mount options – ownerless filesystems get uid, gid and umask 0027; Unix ones keep their owners", () => {
  for (const type of ["vfat", "exfat", "ntfs3"])
    assert.equal(
      mountOptions(type, 999, 998),
      "nosuid,nodev,noexec,nofail,uid=999,gid=998,umask=0027",
    );
  for (const type of ["ext4", "xfs", "btrfs"])
    assert.equal(mountOptions(type, 999, 998), "nosuid,nodev,noexec,nofail");
});

test("deploy – /mnt/felhom is root:felhom 0750 (tmpfiles.d): other users cannot reach a mounted disk", async () => {
  const conf = await readFile(
    join(PACKAGE_DIR, "..", "..", "deploy", "felhom.tmpfiles.conf"),
    "utf8",
  );
  assert.match(conf, /^d \/mnt\/felhom 0750 root felhom -$/m);
});

/** SECURITY.md's table "Every command line it can run": method → the command lines (code that starts with a
 * tool's path) in its row, in order. */
async function documentedArgv(): Promise<Map<string, string[]>> {
  const tools: string[] = Object.values(PRODUCTION.tools);
  const doc = await readFile(join(PACKAGE_DIR, "SECURITY.md"), "utf8");
  const section = doc.split("## Every command line it can run")[1]!.split("\n## ")[0]!;
  const rows = section.split("\n").filter((l) => /^\| `[a-z]+\.[A-Za-z]+` \|/.test(l));
  return new Map(
    rows.map((row) => {
      const [, method, text] = /^\| `([^`]+)` \| (.*) \|$/.exec(row)!;
      const code = [...text!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
      return [method!, code.filter((c) => tools.includes(c.split(" ")[0]!))];
    }),
  );
}

test("SECURITY.md – the documented argv table is exactly what the builders produce, for every method", async () => {
  const t = PRODUCTION.tools;
  const P = {
    ...{ vmid: "VMID", ostemplate: "OSTEMPLATE", storage: "STORAGE", hostname: "HOSTNAME" },
    ...{ memory: "MEMORY", cores: "CORES", rootfsGiB: "ROOTFSGIB", bridge: "BRIDGE" },
  } as never;
  const reload = argv.daemonReload(t);
  const expected: Record<string, Array<readonly string[]>> = {
    "helper.hello": [],
    "golden.createContainer": [argv.pctCreate(t, P)],
    "usb.mount": [
      ...[argv.lsblk(t), reload, argv.systemctlNow(t, "enable", "UNIT")],
      ...[argv.systemctlNow(t, "disable", "UNIT"), reload],
    ],
    "usb.unmount": [argv.systemctlNow(t, "disable", "UNIT"), reload],
    "hw.smart": [argv.smartctl(t, "DEVICE")],
    "hw.sensors": [argv.sensors(t)],
  };
  const documented = await documentedArgv();
  assert.deepEqual([...documented.keys()], methodNames);
  for (const [method, lines] of documented)
    assert.deepEqual(
      lines,
      expected[method]!.map((a) => a.join(" ")),
      method,
    );
  // Every builder is in the table: a new one cannot run undocumented.
  const builders = Object.keys(argv).filter(
    (k) => typeof argv[k as keyof typeof argv] === "function",
  );
  assert.deepEqual(builders.sort(), [
    "daemonReload",
    "lsblk",
    "pctCreate",
    "sensors",
    "smartctl",
    "systemctlNow",
  ]);
});

test("SECURITY.md – the documented mount unit is renderMountUnit's text", async () => {
  const doc = await readFile(join(PACKAGE_DIR, "SECURITY.md"), "utf8");
  const block = /```\n(# Written by felhom-root-helper[^`]*)```/.exec(doc)?.[1];
  const u = {
    name: "NAME",
    what: "WHAT",
    where: "/mnt/felhom/NAME",
    type: "FSTYPE",
    options: "OPTIONS",
  };
  assert.equal(block, renderMountUnit(u));
});
