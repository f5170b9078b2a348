// Human-readable output for the CLI: aligned tables, key/value blocks, byte sizes, durations and percentages.
// Every cell is made printable (no control characters from the server reach the terminal).
import { oneLine } from "../errors.js";

export type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined || v === "") return "-";
  return oneLine(String(v), 120);
}

/** An aligned table with a header row; numbers are right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((r) => headers.map((_, i) => cell(r[i])));
  const numeric = headers.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => typeof r[i] === "number" || r[i] === null || r[i] === undefined),
  );
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...text.map((r) => (r[i] as string).length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] === true ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  if (rows.length === 0) return `${line(headers)}\n(none)`;
  return [line(headers), ...text.map(line)].join("\n");
}

/** `key: value` lines with the keys aligned. */
export function keyValues(pairs: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${cell(v)}`).join("\n");
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 → "1.5 KiB". */
export function bytes(n: number | undefined | null): string | undefined {
  if (n === undefined || n === null || !Number.isFinite(n)) return undefined;
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)} ${UNITS[u]}`;
}

/** 93784 s → "1d 2h 3m". */
export function duration(seconds: number | undefined | null): string | undefined {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return undefined;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d ? `${d}d` : "", h ? `${h}h` : "", `${m}m`].filter(Boolean).join(" ");
}

/** 0.4567 → "45.7%". */
export function percent(fraction: number | undefined | null): string | undefined {
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return undefined;
  return `${(fraction * 100).toFixed(1)}%`;
}

/** used/total as "12.0 GiB / 64.0 GiB (18.8%)". */
export function usage(
  used: number | undefined | null,
  total: number | undefined | null,
): string | undefined {
  if (used === undefined || used === null || total === undefined || total === null)
    return undefined;
  const pct = total > 0 ? ` (${percent(used / total)})` : "";
  return `${bytes(used)} / ${bytes(total)}${pct}`;
}

/** A UNIX time as an ISO timestamp without milliseconds. */
export function time(epochSeconds: number | undefined | null): string | undefined {
  if (epochSeconds === undefined || epochSeconds === null || !Number.isFinite(epochSeconds))
    return undefined;
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}

/** JSON for --json: stable, one document per command, secrets never included (the data holds none). */
export function json(data: unknown): string {
  return JSON.stringify(data, jsonReplacer, 2);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
