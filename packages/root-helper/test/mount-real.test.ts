// The generated mount unit against a real filesystem: an ext4 image on a loop device, reached through a by-id
// style link, mounted with exactly the unit's What=, Where=, Type= and Options= in a private mount namespace;
// nosuid, nodev and noexec must hold there, and nothing leaks into the host's mount table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mountOptions as optionsFor, renderMountUnit } from "../src/index.js";
import { have, isRoot, run } from "./helpers.js";

const UUID = "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab";

/** In a private mount namespace: mount as the unit says, then report options, exec and device-node results. */
const PROBE = `
set -u
what=$1 where=$2 type=$3 options=$4
mkdir -p "$where"
mount -t "$type" -o "$options" "$what" "$where" || exit 90
findmnt -n -o OPTIONS --target "$where"
cp /bin/true "$where/true" && chmod 755 "$where/true"
"$where/true"; echo "exec=$?"
mknod "$where/null" c 1 3 && { head -c 1 "$where/null" >/dev/null 2>&1; echo "device=$?"; }
`;

test("mount unit – a real ext4 mounted with the unit's What/Where/Type/Options gets nosuid, nodev, noexec", async (t) => {
  if (!isRoot) return t.skip("needs root for loop devices and mounts");
  for (const tool of [
    "/usr/sbin/losetup",
    "/usr/sbin/mkfs.ext4",
    "/usr/bin/unshare",
    "/usr/bin/findmnt",
  ])
    if (!(await have(tool))) return t.skip(`${tool} is not installed`);
  const dir = await mkdtemp(join(tmpdir(), "rh-mount-"));
  let loop = "";
  try {
    const image = join(dir, "usb.img");
    assert.equal((await run("/usr/bin/truncate", ["-s", "32M", image])).code, 0);
    const mkfs = await run("/usr/sbin/mkfs.ext4", ["-q", "-F", "-U", UUID, image]);
    assert.equal(mkfs.code, 0, mkfs.stderr);
    const attach = await run("/usr/sbin/losetup", ["--find", "--show", image]);
    if (attach.code !== 0) return t.skip(`no loop device: ${attach.stderr.trim()}`);
    loop = attach.stdout.trim();
    const blkid = await run("/usr/sbin/blkid", ["-o", "value", "-s", "UUID", loop]);
    assert.equal(blkid.stdout.trim(), UUID);

    await mkdir(join(dir, "by-id"));
    const link = join(dir, "by-id", "usb-Test_Flash_Disk_0123456789-0:0");
    await symlink(loop, link);
    const unit = renderMountUnit({
      name: "backup",
      what: link,
      where: join(dir, "mnt", "backup"),
      type: "ext4",
      options: optionsFor("ext4", 0, 0),
    });
    const key = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(unit)?.[1] ?? "";
    const [what, where, type, options] = ["What", "Where", "Type", "Options"].map(key);
    assert.equal(options, "nosuid,nodev,noexec,nofail");

    const r = await run("/usr/bin/unshare", [
      "--mount",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      PROBE,
      "sh",
      what!,
      where!,
      type!,
      options,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [mountOptions, exec, device] = r.stdout.trim().split("\n");
    for (const flag of ["nosuid", "nodev", "noexec"])
      assert.ok(mountOptions?.split(",").includes(flag), mountOptions);
    assert.equal(exec, "exec=126", "a binary on the disk ran");
    assert.notEqual(device, "device=0", "a device node on the disk opened");
    assert.notEqual(
      (await run("/usr/bin/findmnt", ["--target", where!, "-n", "-o", "SOURCE"])).stdout.trim(),
      loop,
    );
  } finally {
    if (loop) await run("/usr/sbin/losetup", ["-d", loop]);
    await rm(dir, { recursive: true, force: true });
  }
});

test("mount unit – a real vfat gets the agent's uid and gid and umask 0027: nothing for others", async (t) => {
  if (!isRoot) return t.skip("needs root for loop devices and mounts");
  for (const tool of ["/usr/sbin/losetup", "/usr/sbin/mkfs.vfat", "/usr/bin/unshare"])
    if (!(await have(tool))) return t.skip(`${tool} is not installed (dosfstools)`);
  if (!/\tvfat\n/.test(await readFile("/proc/filesystems", "utf8")))
    return t.skip("this kernel has no vfat");
  const dir = await mkdtemp(join(tmpdir(), "rh-vfat-"));
  let loop = "";
  try {
    const image = join(dir, "stick.img");
    assert.equal((await run("/usr/bin/truncate", ["-s", "32M", image])).code, 0);
    assert.equal((await run("/usr/sbin/mkfs.vfat", ["-i", "1234ABCD", image])).code, 0);
    const attach = await run("/usr/sbin/losetup", ["--find", "--show", image]);
    if (attach.code !== 0) return t.skip(`no loop device: ${attach.stderr.trim()}`);
    loop = attach.stdout.trim();
    const options = optionsFor("vfat", 999, 998);
    assert.equal(options, "nosuid,nodev,noexec,nofail,uid=999,gid=998,umask=0027");
    const where = join(dir, "mnt");
    const probe =
      'mkdir -p "$1" && mount -t vfat -o "$2" "$0" "$1" && mkdir "$1/d" && touch "$1/f" && ' +
      'stat -c "%u:%g:%a" "$1" "$1/d" "$1/f"';
    const r = await run("/usr/bin/unshare", [
      ...["--mount", "--propagation", "private", "/bin/sh", "-c", probe],
      ...[loop, where, options],
    ]);
    assert.equal(r.code, 0, r.stderr);
    // vfat applies the umask to files and directories alike: the agent's, its group reads, others nothing.
    for (const line of r.stdout.trim().split("\n")) {
      const [uid, gid, mode] = line.split(":");
      assert.deepEqual([uid, gid], ["999", "998"], line);
      assert.equal(parseInt(mode!, 8) & 0o027, 0, line);
    }
  } finally {
    if (loop) await run("/usr/sbin/losetup", ["-d", loop]);
    await rm(dir, { recursive: true, force: true });
  }
});
