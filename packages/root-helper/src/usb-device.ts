// Which block device a USB mount may use: found by enumeration (lsblk --json), never taken from the agent. A
// guest's zvol or LV can carry any filesystem UUID, so exactly one device may have it, on a USB-attached sd disk.
import { readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import * as z from "zod/mini";
import { HelperFailure, type ParamsOf } from "@felhom/helper-protocol";
import { parseJson } from "./exec.js";

const [s, n] = [z.string(), z.nullable(z.string())]; // lsblk prints null for an unknown value
const Device = z.object({ name: s, path: s, type: s, tran: n, uuid: n, fstype: n, pkname: n });
const Listing = z.object({
  blockdevices: z.array(z.extend(Device, { mountpoints: z.array(n) })).check(z.maxLength(4096)),
});

/** USB mass storage is always a SCSI disk (usb-storage or uas): sdX, partitions sdXN. No dm, zd, loop, rbd, nbd,
 * md or nvme name can match. */
const SD_DISK = /^sd[a-z]{1,2}$/;
const SD_PART = /^sd[a-z]{1,2}[0-9]{1,3}$/;
/** udev's by-id names of USB disks; nothing outside this alphabet is ever written into a unit file. */
const USB_LINK = /^usb-[A-Za-z0-9_.:+-]{1,200}$/;

/**
 * The kernel name (sdXN or sdX) of the one device that may be mounted, from `lsblk --json --list`: exactly one
 * device with the UUID, a partition of (or a whole) USB-attached sd disk, with the requested filesystem, mounted
 * nowhere. NOT_FOUND when no device has the UUID, DEVICE_NOT_ELIGIBLE for every other miss.
 */
export function eligibleDevice(lsblkJson: string, p: Omit<ParamsOf<"usbMount">, "name">): string {
  const listing = Listing.safeParse(parseJson(lsblkJson));
  if (!listing.success) throw new HelperFailure("TOOL_OUTPUT_INVALID");
  const devices = listing.data.blockdevices;
  const matches = devices.filter((d) => d.uuid === p.uuid);
  const dev = matches[0];
  if (dev === undefined) throw new HelperFailure("NOT_FOUND");
  const disk = dev.type === "part" ? devices.find((d) => d.name === dev.pkname) : dev;
  const usbDisk = disk?.type === "disk" && disk.tran === "usb" && SD_DISK.test(disk.name);
  const shape = dev === disk || (SD_PART.test(dev.name) && dev.name.startsWith(disk?.name ?? "-"));
  const probed = p.fstype === "ntfs3" ? "ntfs" : p.fstype; // blkid names the ntfs3 driver's filesystem ntfs
  const free = dev.fstype === probed && dev.mountpoints.every((m) => m === null);
  if (matches.length !== 1 || !usbDisk || !shape || !free || dev.path !== `/dev/${dev.name}`)
    throw new HelperFailure("DEVICE_NOT_ELIGIBLE");
  return dev.name;
}

/** The stable link byIdDir/usb-… whose target is exactly `../../NAME` (udev's own form), first by name. */
export async function usbLinkOf(byIdDir: string, name: string): Promise<string> {
  const entries = await readdir(byIdDir).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => USB_LINK.test(e)).sort())
    if ((await readlink(join(byIdDir, entry)).catch(() => "")) === `../../${name}`)
      return join(byIdDir, entry);
  throw new HelperFailure("DEVICE_NOT_ELIGIBLE");
}
