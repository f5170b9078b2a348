// The closed set of argument shapes the root helper accepts: anchored ASCII patterns and bounded integers only.
import { BRIDGE, HOSTNAME, OS_TEMPLATE, STORAGE_ID, VMID, type TextGrammar } from "@felhom/grammar";
import * as z from "zod/mini";

/** A safe integer in [min, max]; floats, strings and out-of-range values are refused. */
const boundedInt = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));

/** A string matching an anchored pattern, bounded in length. No trimming, no coercion. */
const anchored = (pattern: RegExp, maxLength: number) =>
  z.string().check(z.maxLength(maxLength), z.regex(pattern));

/** A string of one of the project's value grammars (@felhom/grammar): its pattern and both bounds. */
const grammar = (g: TextGrammar) =>
  z.string().check(z.minLength(g.minLength), z.maxLength(g.maxLength), z.regex(g.pattern));

/** PVE guest id (the helper refuses the reserved ids below 100). */
export const Vmid = boundedInt(VMID.min, VMID.max);

/** PVE storage id, as pve-common's `pve-storage-id` format (ASCII, starts with a letter). */
export const StorageId = grammar(STORAGE_ID);

/** A container template volume: `STORAGE:vztmpl/FILE.tar.{gz,xz,zst}`; the file name has no slash and no `..`. */
export const OsTemplate = grammar(OS_TEMPLATE);

/** A DNS host name: labels of ASCII letters, digits and inner hyphens, dot separated, 253 characters at most. */
export const Hostname = grammar(HOSTNAME);

/** Container memory in MiB (PVE's minimum is 16). */
export const MemoryMiB = boundedInt(16, 4_194_304);
/** CPU cores (PVE's LXC range). */
export const Cores = boundedInt(1, 8192);
/** Root disk size in GiB. */
export const RootfsGiB = boundedInt(1, 131_072);
/** A Linux bridge of the PVE convention `vmbrN`. */
export const Bridge = grammar(BRIDGE);

/**
 * A filesystem UUID as blkid prints it: the 36-character form (ext4, xfs, btrfs), `XXXX-XXXX` (vfat, exfat)
 * or 16 hex digits (ntfs).
 */
export const FsUuid = anchored(
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-F]{4}-[0-9A-F]{4}|[0-9A-F]{16})$/,
  36,
);

/** The name of a helper-managed mount: becomes /mnt/felhom/NAME. */
export const MountName = anchored(/^[a-z0-9][a-z0-9-]{0,31}$/, 32);

/** Filesystems the helper will mount. */
export const FsType = z.enum(["ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs3"]);

/** A whole-disk block device the helper may query: `/dev/sdX` or `/dev/nvmeNnM`. */
export const BlockDevice = anchored(/^\/dev\/(?:sd[a-z]{1,2}|nvme[0-9]{1,2}n[0-9]{1,2})$/, 16);

/** The empty params object of parameterless methods. */
export const NoParams = z.strictObject({});
