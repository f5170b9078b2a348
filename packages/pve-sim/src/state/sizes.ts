// Sizes and stamps as PVE prints them: disk sizes in configs ("8G"), human sizes in logs, archive time stamps.

/** parse_size: "8G", "512M", "1.5T", "100" (bytes); undefined when malformed. */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT](?:iB)?)?$/.exec(value);
  if (!m) return undefined;
  const unit = (m[2] ?? "").charAt(0);
  const mult = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** format_size: the largest whole unit ("8G"), else bytes. */
export function formatSize(bytes: number): string {
  const units = ["", "K", "M", "G", "T"];
  let value = Math.floor(bytes);
  let i = 0;
  while (i < units.length - 1 && value % 1024 === 0 && value > 0) {
    value /= 1024;
    i++;
  }
  return `${value}${units[i]}`;
}

/** "1.2GiB"-style human size used in vzdump and restore logs. */
export function humanSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)}${units[i]}`;
}

/** vzdump's archive time stamp: YYYY_MM_DD-HH_MM_SS (UTC in the simulator). */
export function archiveStamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}-${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
}
