// Task history of the sample node: a nightly backup, an apt update with a warning, guest starts.
import type { SimState } from "./state.js";

export function addHistory(state: SimState, now: number): void {
  const backupStart = now - 7 * 3_600_000;
  const t = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
  state.tasks.addFinished({
    type: "vzdump",
    id: "100",
    user: "root@pam",
    startMs: backupStart,
    endMs: backupStart + 41_000,
    lines: [
      "INFO: starting new backup job: vzdump 100 --mode snapshot --compress zstd --storage local --node pve",
      "INFO: Starting Backup of VM 100 (lxc)",
      `INFO: Backup started at ${t(backupStart)}`,
      "INFO: status = running",
      "INFO: CT Name: web",
      "INFO: including mount point rootfs ('/') in backup",
      "INFO: excluding volume mount point mp0 ('/srv/data') from backup (disabled)",
      "INFO: backup mode: snapshot",
      "INFO: ionice priority: 7",
      "INFO: create storage snapshot 'vzdump'",
      "INFO: creating vzdump archive '/var/lib/vz/dump/vzdump-lxc-100.tar.zst'",
      "INFO: Total bytes written: 1287651328 (1.2GiB, 33MiB/s)",
      "INFO: archive file size: 412MB",
      "INFO: cleanup temporary 'vzdump' snapshot",
      "INFO: Finished Backup of VM 100 (00:00:41)",
      `INFO: Backup finished at ${t(backupStart + 41_000)}`,
      "INFO: Backup job finished successfully",
      "TASK OK",
    ],
  });
  state.tasks.addFinished({
    type: "aptupdate",
    id: "",
    user: "root@pam",
    startMs: now - 5 * 3_600_000,
    endMs: now - 5 * 3_600_000 + 9000,
    lines: [
      "starting apt-get update",
      "Hit:1 http://deb.debian.org/debian trixie InRelease",
      "WARN: could not download changelog",
      "TASK WARNINGS: 1",
    ],
  });
  state.tasks.addFinished({
    type: "qmstart",
    id: "200",
    user: "root@pam",
    startMs: now - 3 * 3_600_000,
    endMs: now - 3 * 3_600_000 + 2000,
    lines: ["TASK OK"],
  });
  state.tasks.addFinished({
    type: "vzstart",
    id: "100",
    user: "root@pam",
    startMs: now - 2 * 3_600_000,
    endMs: now - 2 * 3_600_000 + 1500,
    lines: ["TASK OK"],
  });
}
