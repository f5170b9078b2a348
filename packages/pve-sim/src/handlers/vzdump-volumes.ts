// Which volumes a backup takes (get_backup_volumes / mountpoint_backup_enabled for containers, the disks'
// backup flag for VMs), with vzdump's log lines for each.
import { parseMountPoint, parseQemuDisk, volumeKeys } from "../state/guest-config.js";
import type { GuestRecord } from "../state/model.js";
import { parseSize } from "../state/sizes.js";

/** The volumes vzdump takes and leaves out (get_backup_volumes / mountpoint_backup_enabled). */
export function backupVolumes(g: GuestRecord): {
  included: string[];
  excluded: Array<{ key: string; reason: string }>;
  lines: string[];
  bytes: number;
} {
  const included: string[] = [];
  const excluded: Array<{ key: string; reason: string }> = [];
  const lines: string[] = [];
  let bytes = 0;
  for (const key of volumeKeys(g.type, g.config)) {
    const raw = String(g.config[key]);
    if (g.type === "lxc") {
      const mp = parseMountPoint(raw);
      const path = key === "rootfs" ? "/" : (mp.mp ?? "");
      const reason =
        key === "rootfs"
          ? "rootfs"
          : mp.type !== "volume"
            ? "not a volume"
            : mp.backup === "1"
              ? "enabled"
              : "disabled";
      if (reason === "rootfs" || reason === "enabled") {
        included.push(key);
        bytes += parseSize(mp.size ?? "") ?? 0;
        lines.push(`INFO: including mount point ${key} ('${path}') in backup`);
      } else {
        excluded.push({ key, reason });
        lines.push(
          `INFO: excluding ${mp.type} mount point ${key} ('${path}') from backup (${reason})`,
        );
      }
    } else {
      const disk = parseQemuDisk(raw);
      if (disk.options.media === "cdrom" || disk.volume === "none") continue;
      const size = disk.options.size ?? "0";
      if (disk.options.backup === "0") {
        excluded.push({ key, reason: "backup=no" });
        lines.push(`INFO: exclude disk '${key}' '${disk.volume}' (backup=no)`);
      } else {
        included.push(key);
        bytes += parseSize(size) ?? 0;
        lines.push(`INFO: include disk '${key}' '${disk.volume}' ${size}`);
      }
    }
  }
  return { included, excluded, lines, bytes };
}
