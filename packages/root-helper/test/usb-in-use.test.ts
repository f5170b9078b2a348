// usb.mount refuses a USB disk that is in use although lsblk shows no mount point: holders in sysfs, a device an
// exclusive open refuses (a real loop device mounted in another mount namespace), or one that a guest config or
// a USB mapping in pmxcfs names (by /dev name, any /dev/disk/by-* link, or the USB device's ids), snapshots included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { HelperError, HelperFailure } from "@felhom/helper-protocol";
import { fixture, fixturePath } from "@felhom/test-support/fake-tools";
import { have, isRoot, run } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";
import { assertExclusiveOpen, assertNoHolders, refersTo, usbIdentity } from "../src/usb-in-use.js";

const UUID = JSON.parse(fixture("uuids.json")) as Record<string, string>;
const code = (c: string) => (err: unknown) => err instanceof HelperError && err.code === c;
const SDB_ID = "usb-SanDisk_Ultra_4C530001230110111084-0:0";
/** sdb is the first USB disk of the fixture: the fake host puts it on USB device 0781:55a0 at bus-port 2-1. */
const SDB_BLOCK = "sys/devices/usb2/2-1/2-1:1.0/host6/block/sdb";

/** A helper over the fixture host with udev-style links: by-id for sdb and sdb1, by-uuid/by-path/by-partuuid
 * for sdb1; guest config folders of two nodes. */
async function helper() {
  const h = await startTestHelper({
    rules: { lsblk: [{ stdoutFile: fixturePath("lsblk-host.txt") }] },
  });
  const disk = join(h.dirs.byIdDir, "..");
  const links: Array<[string, string, string]> = [
    ["by-id", SDB_ID, "../../sdb"],
    ["by-id", `${SDB_ID}-part1`, "../../sdb1"],
    ["by-uuid", UUID.usb!, "../../sdb1"],
    ["by-path", "pci-0000:00:14.0-usb-0:1:1.0-scsi-0:0:0:0-part1", "../../sdb1"],
    ["by-partuuid", "5d1b2c3a-01", "../../sdb1"],
    ["by-id", "usb-Other_Disk_1-0:0-part1", "../../sdc1"],
  ];
  for (const [kind, link, target] of links) {
    await mkdir(join(disk, kind), { recursive: true });
    await symlink(target, join(disk, kind, link));
  }
  await mkdir(join(h.dirs.pveDir, "nodes", "pve2", "qemu-server"), { recursive: true });
  const mount = async (name: string) => {
    const client = await h.connect();
    try {
      return await client.usbMount({ uuid: UUID.usb!, name, fstype: "ext4" });
    } finally {
      client.close();
    }
  };
  return { ...h, mount };
}

test("usb.mount – holders on the disk or on a partition are DEVICE_IN_USE; nothing is written or started", async () => {
  const h = await helper();
  try {
    await mkdir(join(h.root, SDB_BLOCK, "holders", "dm-0"));
    await assert.rejects(h.mount("a"), code("HELPER_DEVICE_IN_USE"));
    await rm(join(h.root, SDB_BLOCK, "holders", "dm-0"), { recursive: true });
    await mkdir(join(h.root, SDB_BLOCK, "sdb1", "holders", "md127"));
    await assert.rejects(h.mount("b"), code("HELPER_DEVICE_IN_USE"));
    await rm(join(h.root, SDB_BLOCK, "sdb1", "holders", "md127"), { recursive: true });
    await rm(join(h.root, SDB_BLOCK, "sdb1", "holders"), { recursive: true });
    await assert.rejects(h.mount("c"), code("HELPER_DEVICE_IN_USE"), "a missing holders folder");
    assert.deepEqual(await readdir(h.dirs.unitDir), []);
    assert.ok((await h.fake.calls()).every((c) => c.tool === "lsblk"));
  } finally {
    await h.close();
  }
});

test("usb.mount – a disk named in any guest config, snapshot or USB mapping is DEVICE_IN_USE", async () => {
  const h = await helper();
  const lxc = join(h.dirs.pveDir, "nodes", "pve1", "lxc", "101.conf");
  const qemu = join(h.dirs.pveDir, "nodes", "pve2", "qemu-server", "100.conf");
  const mapping = join(h.dirs.pveDir, "mapping", "usb.cfg");
  const cases: Array<[string, string, string]> = [
    [qemu, `scsi1: /dev/disk/by-id/${SDB_ID},size=500G\n`, "whole disk by id on another node"],
    [qemu, "boot: order=scsi0\nscsi1: file=/dev/sdb\n", "whole disk by name"],
    [
      lxc,
      "arch: amd64\nmp0: /dev/sdb1,mp=/data,backup=0\n",
      "partition as a container mount point",
    ],
    [lxc, "dev0: path=/dev/sdb1,mode=0660\n", "device passthrough"],
    [lxc, "lxc.mount.entry: /dev/sdb1 mnt/usb none bind,create=dir\n", "raw lxc key"],
    [
      qemu,
      `memory: 2048\n\n[before-upgrade]\nscsi2: /dev/disk/by-uuid/${UUID.usb}\nsnaptime: 1700000000\n`,
      "by-uuid in a snapshot",
    ],
    [qemu, "scsi3: /dev/disk/by-path/pci-0000:00:14.0-usb-0:1:1.0-scsi-0:0:0:0-part1\n", "by-path"],
    [lxc, "mp1: /dev/disk/by-partuuid/5d1b2c3a-01,mp=/x\n", "by-partuuid"],
    [qemu, "usb0: host=0781:55A0,usb3=1\n", "USB vendor:product"],
    [qemu, "[PENDING]\nusb1: host=2-1\n", "USB bus-port, pending"],
    [mapping, "usb: backup-disk\n\tmap id=0781:55a0,node=pve1\n", "USB mapping"],
  ];
  try {
    for (const [file, text, label] of cases) {
      await mkdir(join(file, ".."), { recursive: true });
      await writeFile(file, text);
      await assert.rejects(h.mount("x"), code("HELPER_DEVICE_IN_USE"), label);
      await rm(file);
    }
    // Other disks and look-alike names do not count.
    await writeFile(
      qemu,
      "scsi1: /dev/sdba\nscsi2: /dev/sdc1\nscsi3: /dev/disk/by-id/usb-Other_Disk_1-0:0-part1\n" +
        "usb0: host=0781:55a1\nusb1: host=2-10\ndescription: about /dev/sdbx and 2-1.4\n",
    );
    await writeFile(mapping, "usb: other\n\tmap id=0781:55a1,node=pve1,path=2-2\n");
    assert.equal((await h.mount("free")).name, "free");
    assert.equal((await readdir(h.dirs.unitDir)).length, 1);
  } finally {
    await h.close();
  }
});

test("usb.mount – pmxcfs that cannot be read (not mounted) is DEVICE_IN_USE: it cannot be checked", async () => {
  const h = await helper();
  try {
    await rm(join(h.dirs.pveDir, "nodes"), { recursive: true });
    await assert.rejects(h.mount("x"), code("HELPER_DEVICE_IN_USE"));
  } finally {
    await h.close();
  }
});

test("usb in use – refersTo matches whole tokens only, and USB ids on usbN/map lines only", () => {
  const paths = new Set(["/dev/sdb", "/dev/sdb1"]);
  const usb = ["0781:55a0", "2-1"];
  assert.equal(refersTo("mp0: /dev/sdb1,mp=/a", paths, usb), true);
  assert.equal(refersTo("mp0: /dev/sdb12,mp=/a", paths, usb), false);
  assert.equal(refersTo("description: host=0781:55a0", paths, usb), false);
  assert.equal(refersTo("usb2: host=0781:55a0", paths, usb), true);
  assert.equal(refersTo("usb2: host=2-1.3", paths, usb), false);
});

/** A real loop device over a 16 MiB ext4 image; t.skip()s without root or tools. */
async function loopDevice(t: { skip(m: string): void }, dir: string): Promise<string | undefined> {
  if (!isRoot) return void t.skip("needs root for loop devices");
  for (const tool of ["/usr/sbin/losetup", "/usr/sbin/mkfs.ext4", "/usr/bin/unshare"])
    if (!(await have(tool))) return void t.skip(`${tool} is not installed`);
  const image = join(dir, "disk.img");
  assert.equal((await run("/usr/bin/truncate", ["-s", "16M", image])).code, 0);
  assert.equal((await run("/usr/sbin/mkfs.ext4", ["-q", "-F", image])).code, 0);
  const attach = await run("/usr/sbin/losetup", ["--find", "--show", image]);
  if (attach.code !== 0) return void t.skip(`no loop device: ${attach.stderr.trim()}`);
  return attach.stdout.trim();
}

test("usb in use – real sysfs and a real loop device: no holders; an exclusive open fails while it is mounted", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-inuse-"));
  const loop = await loopDevice(t, dir);
  if (loop === undefined) return void (await rm(dir, { recursive: true }));
  const name = loop.slice("/dev/".length);
  try {
    assert.deepEqual(await assertNoHolders("/sys", name), [name]);
    await assertExclusiveOpen(loop); // free: the open succeeds and is closed again
    // Mounted in a private mount namespace of a child that holds it until its stdin closes.
    await mkdir(join(dir, "mnt"));
    const holder = spawn("/usr/bin/unshare", [
      ...["--mount", "--propagation", "private", "/bin/sh", "-c"],
      'mount -o ro "$0" "$1" && echo mounted && read _',
      ...[loop, join(dir, "mnt")],
    ]);
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: holder.stdout }).once("line", resolve),
    );
    assert.equal(line, "mounted");
    const busy = await assertExclusiveOpen(loop).catch((e: unknown) => e);
    holder.stdin.end();
    await new Promise((resolve) => holder.once("exit", resolve));
    assert.ok(busy instanceof HelperFailure && busy.failure === "DEVICE_IN_USE", String(busy));
    await assertExclusiveOpen(loop); // free again once the namespace is gone
    // A loop device has no USB device above it in sysfs: refused, as anything that cannot be checked.
    await assert.rejects(
      usbIdentity("/sys", name),
      (e: HelperFailure) => e.failure === "DEVICE_NOT_ELIGIBLE",
    );
  } finally {
    await run("/usr/sbin/losetup", ["-d", loop]);
    await rm(dir, { recursive: true, force: true });
  }
});

test("usb.mount – through the helper: a device node of a loop device mounted elsewhere is DEVICE_IN_USE", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-inuse-"));
  const loop = await loopDevice(t, dir);
  if (loop === undefined) return void (await rm(dir, { recursive: true }));
  const h = await helper();
  const holder = spawn("/usr/bin/unshare", [
    ...["--mount", "--propagation", "private", "/bin/sh", "-c"],
    'mkdir -p "$1" && mount -o ro "$0" "$1" && echo mounted && read _',
    ...[loop, join(dir, "mnt")],
  ]);
  try {
    // sdb1's node in the helper's devDir gets the loop device's numbers.
    const [major, minor] = (await run("/usr/bin/stat", ["-c", "%t %T", loop])).stdout
      .trim()
      .split(" ");
    await rm(join(h.dirs.devDir, "sdb1"));
    const mknod = await run("/usr/bin/mknod", [
      join(h.dirs.devDir, "sdb1"),
      "b",
      String(parseInt(major!, 16)),
      String(parseInt(minor!, 16)),
    ]);
    assert.equal(mknod.code, 0, mknod.stderr);
    await new Promise((resolve) => createInterface({ input: holder.stdout }).once("line", resolve));
    await assert.rejects(h.mount("busy"), code("HELPER_DEVICE_IN_USE"));
    holder.stdin.end();
    await new Promise((resolve) => holder.once("exit", resolve));
    assert.equal((await h.mount("free")).name, "free");
  } finally {
    holder.kill();
    await h.close();
    await run("/usr/sbin/losetup", ["-d", loop]);
    await rm(dir, { recursive: true, force: true });
  }
});
