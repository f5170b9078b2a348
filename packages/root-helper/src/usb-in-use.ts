// "Not in use" before a USB disk is mounted on the host: lsblk's mount points miss a disk passed to a VM or
// used by a container. Refused: holders on the disk or a partition (dm, md, bcache), a device an exclusive
// open refuses (mounted or claimed in any namespace), and a disk that a guest config or a USB mapping names.
import { constants } from "node:fs";
import { open, readdir, readFile, readlink, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { HelperFailure } from "@felhom/helper-protocol";
import type { Dirs } from "./config.js";
import { guestConfigs } from "./guest-configs.js";

const inUse = (): HelperFailure => new HelperFailure("DEVICE_IN_USE");

/** The disk and its partitions (sysfs subfolders sdb1, loop0p1, …); each must have an empty holders folder. */
export async function assertNoHolders(sysDir: string, disk: string): Promise<string[]> {
  const block = join(sysDir, "block", disk);
  const entries = await readdir(block).catch(() => Promise.reject(inUse()));
  const parts = entries.filter((e) => new RegExp(`^${disk}p?[0-9]+$`).test(e));
  for (const dir of [block, ...parts.map((p) => join(block, p))])
    if ((await readdir(join(dir, "holders")).catch(() => ["?"])).length > 0) throw inUse();
  return [disk, ...parts];
}

/** O_EXCL on a block device fails with EBUSY while anything (a mount, dm, md, a swap) holds it exclusively. */
export async function assertExclusiveOpen(path: string): Promise<void> {
  const flags = constants.O_RDONLY | constants.O_EXCL | constants.O_NOFOLLOW;
  const fh = await open(path, flags).catch((err: NodeJS.ErrnoException) =>
    Promise.reject(
      new HelperFailure(err.code === "EBUSY" ? "DEVICE_IN_USE" : "DEVICE_NOT_ELIGIBLE"),
    ),
  );
  await fh.close();
}

/** vendor:product and bus-port (`2-1.4`) of the USB device above the disk: its first sysfs ancestor with idVendor. */
export async function usbIdentity(sysDir: string, disk: string): Promise<string[]> {
  let dir = await realpath(join(sysDir, "block", disk)).catch(() => "");
  for (; dir.startsWith(`${sysDir}/`); dir = dirname(dir)) {
    const read = (f: string) => readFile(join(dir, f), "utf8").then((s) => s.trim().toLowerCase());
    const id = await Promise.all([read("idVendor"), read("idProduct")]).catch(() => undefined);
    if (id !== undefined) return [id.join(":"), basename(dir)];
  }
  throw new HelperFailure("DEVICE_NOT_ELIGIBLE"); // lsblk said USB, sysfs does not: refuse what cannot be checked
}

/** Every path a config may name the disk by: /dev/NAME and each /dev/disk/by-KIND/LINK pointing at a NAME. */
export async function devicePaths(diskDir: string, names: readonly string[]): Promise<Set<string>> {
  const paths = new Set(names.map((n) => `/dev/${n}`));
  for (const kind of await readdir(diskDir).catch(() => [] as string[]))
    for (const link of await readdir(join(diskDir, kind)).catch(() => [] as string[]))
      if (names.includes(basename(await readlink(join(diskDir, kind, link)).catch(() => ""))))
        paths.add(`/dev/disk/${kind}/${link}`);
  return paths;
}

/** Whether a config (or usb.cfg) names one of the paths anywhere, or the USB device on a `usbN:` or `map` line. */
export function refersTo(
  text: string,
  paths: ReadonlySet<string>,
  usb: readonly string[],
): boolean {
  return text.split("\n").some((line) => {
    const tokens = line.trim().split(/[\s,=]+/);
    const usbLine = /^(?:usb[0-9]+:|map\s)/.test(line.trim());
    return tokens.some((t) => paths.has(t) || (usbLine && usb.includes(t.toLowerCase())));
  });
}

/** All checks for the partition (or whole disk) `device` of `disk`; DEVICE_IN_USE when any finds a use. */
export async function assertNotInUse(dirs: Dirs, disk: string, device: string): Promise<void> {
  const names = await assertNoHolders(dirs.sysDir, disk);
  await assertExclusiveOpen(join(dirs.devDir, device));
  const usb = await usbIdentity(dirs.sysDir, disk);
  const paths = await devicePaths(dirname(dirs.byIdDir), names);
  const configs = await guestConfigs(dirs.pveDir).catch(() => Promise.reject(inUse()));
  const mapping = await readFile(join(dirs.pveDir, "mapping", "usb.cfg"), "utf8").catch(() => "");
  if ([mapping, ...configs.map((c) => c.text)].some((t) => refersTo(t, paths, usb))) throw inUse();
}
