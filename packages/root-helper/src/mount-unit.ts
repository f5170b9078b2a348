// The mount unit file: its name (systemd's path escaping of Where=), its text with the marker line that proves
// the helper wrote it, an atomic create that never replaces a file, and the ownership check before any removal.
import { randomBytes } from "node:crypto";
import { chmod, link, lstat, readFile, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export const UNIT_MARKER =
  "# Written by felhom-root-helper, which removes only unit files that start with this line.";

/** `systemd-escape --path` of an ASCII path: outer slashes dropped, each run of "/" becomes "-", every
 * character outside [A-Za-z0-9:_.] (and a leading ".") becomes \xNN. */
export function escapePath(path: string): string {
  const hex = (c: string): string => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "-" : trimmed.replace(/[^A-Za-z0-9:_./]|^\./g, hex).replace(/\/+/g, "-");
}

/** Fixed options; filesystems without Unix owners get the agent's uid and gid and no access for others. */
export const mountOptions = (type: string, uid: number, gid: number): string =>
  ["nosuid,nodev,noexec,nofail"]
    .concat(["vfat", "exfat", "ntfs3"].includes(type) ? [`uid=${uid},gid=${gid},umask=0027`] : [])
    .join(",");

/** The unit text. PID 1 mounts it (`systemctl enable --now`), never the helper. */
export const renderMountUnit = (
  u: Readonly<Record<"name" | "what" | "where" | "type" | "options", string>>,
) =>
  `${UNIT_MARKER}
[Unit]
Description=felhom USB disk ${u.name}

[Mount]
What=${u.what}
Where=${u.where}
Type=${u.type}
Options=${u.options}
TimeoutSec=30

[Install]
WantedBy=multi-user.target
`;

/** Who wrote the file at path: nobody (absent), the helper (a regular file starting with the marker), or other. */
export async function unitOwner(path: string): Promise<"none" | "helper" | "other"> {
  const stat = await lstat(path).catch(() => undefined); // root sees every path: a failure means absent
  if (stat === undefined) return "none";
  if (!stat.isFile()) return "other";
  return (await readFile(path, "utf8")).startsWith(`${UNIT_MARKER}\n`) ? "helper" : "other";
}

/**
 * Creates the file atomically and never over an existing one: a temp file in the same directory (0644, synced
 * to disk) is hard-linked into place (link fails if anything appeared there meanwhile), then the temp name is removed.
 */
export async function createUnitFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.felhom-root-helper-${randomBytes(8).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { flag: "wx", mode: 0o644, flush: true }); // flush: fsync before close
    await chmod(temp, 0o644); // the helper runs with UMask=0077
    await link(temp, path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
