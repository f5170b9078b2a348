// One host snapshot: node status, guests with their status, storage usage, SMART health of each disk and sensor
// readings, collected in parallel through the facade. A part that fails is recorded as an error; the others
// are still collected and written.
import { readdir } from "node:fs/promises";
import { BlockDevice } from "@felhom/helper-protocol";
import type { ResultOf, SensorReading } from "@felhom/helper-protocol";
import { oneLine } from "./errors.js";
import type { HelperLinkStatus } from "./helper-link.js";
import type { ProxmoxHost } from "./host.js";

/** A part of the snapshot: its data, or why it is missing. */
export type Part<T> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export interface DiskHealth {
  device: string;
  health?: ResultOf<"smart">["health"];
  temperatureC?: number;
  powerOnHours?: number;
  model?: string;
  serial?: string;
  warnings?: string[];
  error?: { code: string; message: string };
}

export interface HostSnapshot {
  /** Format version of this document. */
  format: 1;
  node: string;
  takenAt: string;
  durationMs: number;
  nodeStatus: Part<Awaited<ReturnType<ProxmoxHost["nodeStatus"]>>>;
  guests: Part<
    Array<{
      vmid: number;
      kind: "lxc" | "qemu";
      name?: string;
      status: string;
      lock?: string;
      cpu?: number;
      mem?: number;
      maxmem?: number;
      uptime?: number;
    }>
  >;
  storage: Part<
    Array<{
      storage: string;
      type: string;
      active?: boolean;
      enabled?: boolean;
      used?: number;
      total?: number;
      avail?: number;
      usedFraction?: number;
    }>
  >;
  disks: Part<DiskHealth[]>;
  sensors: Part<SensorReading[]>;
  /** The root helper as the agent's link saw it after this cycle (the daemon's snapshots). */
  helper?: HelperLinkStatus;
}

/** Whole disks the helper can query: /sys/block entries of the contract's device forms (sdX, nvmeNnM). */
export async function discoverDisks(sysBlock = "/sys/block"): Promise<string[]> {
  const names = await readdir(sysBlock).catch(() => [] as string[]);
  return names
    .map((n) => `/dev/${n}`)
    .filter((d) => BlockDevice.safeParse(d).success)
    .sort();
}

function errorOf(err: unknown): { code: string; message: string } {
  const code = (err as { code?: unknown }).code;
  return {
    code: typeof code === "string" ? code : "ERROR",
    message: oneLine(err instanceof Error ? err.message : String(err), 300),
  };
}

async function part<T>(fn: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    return { ok: false, error: errorOf(err) };
  }
}

export interface CollectOptions {
  /** Devices for SMART; when undefined, discovered from /sys/block. */
  disks?: readonly string[];
  signal?: AbortSignal;
  now?: () => Date;
  /** The helper link's status, read once the helper's parts are done. */
  helperStatus?: () => HelperLinkStatus;
}

/** Collects one snapshot. Throws only when aborted. */
export async function collectSnapshot(
  host: ProxmoxHost,
  opts: CollectOptions = {},
): Promise<HostSnapshot> {
  const started = performance.now();
  const takenAt = (opts.now ?? (() => new Date()))().toISOString();
  const signal = opts.signal;
  const api = signal ? { signal, timeoutMs: 30_000 } : { timeoutMs: 30_000 };
  const helper = signal ? { signal } : {};

  const [nodeStatus, guests, storage, disks, sensors] = await Promise.all([
    part(() => host.nodeStatus(api)),
    part(async () =>
      (await host.listGuests(api)).map((g) => ({
        vmid: g.vmid,
        kind: g.kind,
        status: g.status,
        ...(g.name !== undefined ? { name: g.name } : {}),
        ...(g.lock !== undefined ? { lock: g.lock } : {}),
        ...(g.cpu !== undefined ? { cpu: g.cpu } : {}),
        ...(g.mem !== undefined ? { mem: g.mem } : {}),
        ...(g.maxmem !== undefined ? { maxmem: g.maxmem } : {}),
        ...(g.uptime !== undefined ? { uptime: g.uptime } : {}),
      })),
    ),
    part(async () =>
      (await host.storageList(api)).map((s) => ({
        storage: s.storage,
        type: s.type,
        ...(s.active !== undefined ? { active: s.active } : {}),
        ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
        ...(s.used !== undefined ? { used: s.used } : {}),
        ...(s.total !== undefined ? { total: s.total } : {}),
        ...(s.avail !== undefined ? { avail: s.avail } : {}),
        ...(s.used_fraction !== undefined ? { usedFraction: s.used_fraction } : {}),
      })),
    ),
    part(async () => {
      const devices = opts.disks ?? (await discoverDisks());
      const out: DiskHealth[] = [];
      for (const device of devices) {
        signal?.throwIfAborted();
        try {
          const r = await host.smart({ device }, helper);
          out.push({
            device,
            health: r.health,
            warnings: r.warnings,
            ...(r.temperatureC !== undefined ? { temperatureC: r.temperatureC } : {}),
            ...(r.powerOnHours !== undefined ? { powerOnHours: r.powerOnHours } : {}),
            ...(r.model !== undefined ? { model: r.model } : {}),
            ...(r.serial !== undefined ? { serial: r.serial } : {}),
          });
        } catch (err) {
          out.push({ device, error: errorOf(err) });
        }
      }
      return out;
    }),
    part(async () => (await host.sensors(helper)).readings),
  ]);
  signal?.throwIfAborted();
  return {
    format: 1,
    node: host.node,
    takenAt,
    durationMs: Math.round(performance.now() - started),
    nodeStatus,
    guests,
    storage,
    disks,
    sensors,
    ...(opts.helperStatus ? { helper: opts.helperStatus() } : {}),
  };
}

/** The one-line summary the daemon logs after each cycle. */
export function summarize(s: HostSnapshot): string {
  const parts: string[] = [];
  const failed: string[] = [];
  if (s.nodeStatus.ok) {
    const n = s.nodeStatus.data;
    const mem = n.memory.total > 0 ? (n.memory.used / n.memory.total) * 100 : 0;
    parts.push(`node ${s.node} cpu ${(n.cpu * 100).toFixed(1)}% mem ${mem.toFixed(1)}%`);
  } else failed.push(`node status (${s.nodeStatus.error.code})`);
  if (s.guests.ok) {
    const running = s.guests.data.filter((g) => g.status === "running").length;
    parts.push(`${s.guests.data.length} guests (${running} running)`);
  } else failed.push(`guests (${s.guests.error.code})`);
  if (s.storage.ok) {
    const fullest = [...s.storage.data].sort(
      (a, b) => (b.usedFraction ?? 0) - (a.usedFraction ?? 0),
    )[0];
    const note =
      fullest?.usedFraction !== undefined
        ? `, fullest ${fullest.storage} ${(fullest.usedFraction * 100).toFixed(0)}%`
        : "";
    parts.push(`${s.storage.data.length} storages${note}`);
  } else failed.push(`storage (${s.storage.error.code})`);
  if (s.disks.ok) {
    const bad = s.disks.data.filter((d) => d.health !== "PASSED");
    parts.push(`${s.disks.data.length} disks${bad.length ? ` (${bad.length} not PASSED)` : ""}`);
  } else failed.push(`disks (${s.disks.error.code})`);
  if (s.sensors.ok) {
    const temps = s.sensors.data.filter((r) => r.kind === "temp").map((r) => r.value);
    const hottest = temps.length ? `, max ${Math.max(...temps).toFixed(0)}°C` : "";
    parts.push(`${s.sensors.data.length} sensor readings${hottest}`);
  } else failed.push(`sensors (${s.sensors.error.code})`);
  if (s.helper?.state === "failed") failed.push(`root helper (${s.helper.code})`);
  return `${parts.join("; ")}${failed.length ? `; failed: ${failed.join(", ")}` : ""}`;
}
