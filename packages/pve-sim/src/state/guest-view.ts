// What the API shows of a guest: status/current, the list entries of GET …/lxc and …/qemu, and the guest
// entries of /cluster/resources, computed from the record and the clock (usage grows with uptime).
import { hashNoise } from "../prng.js";
import { parseMountPoint, parseQemuDisk, volumeKeys } from "./guest-config.js";
import type { GuestRecord } from "./model.js";
import { MIB } from "./model.js";
import { parseSize } from "./sizes.js";

export interface Usage {
  cpu: number;
  cpus: number;
  mem: number;
  maxmem: number;
  disk: number;
  maxdisk: number;
  uptime: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

function rootSize(guest: GuestRecord): number {
  if (guest.type === "lxc") {
    const raw = guest.config.rootfs;
    return raw === undefined ? 0 : (parseSize(parseMountPoint(String(raw)).size ?? "") ?? 0);
  }
  for (const key of volumeKeys("qemu", guest.config)) {
    if (/^(efidisk|tpmstate)/.test(key)) continue;
    const disk = parseQemuDisk(String(guest.config[key]));
    if (disk.options.media === "cdrom" || disk.options.size === undefined) continue;
    return parseSize(disk.options.size) ?? 0;
  }
  return 0;
}

export function usage(guest: GuestRecord, nowMs: number, hostCpus: number): Usage {
  const running = guest.status === "running";
  const uptime =
    running && guest.startedAtMs !== undefined
      ? Math.max(0, Math.floor((nowMs - guest.startedAtMs) / 1000))
      : 0;
  const cfg = guest.config;
  const cpus =
    Number(cfg.cores ?? (guest.type === "lxc" ? hostCpus : 1)) * Number(cfg.sockets ?? 1);
  const maxmem = Number.parseInt(String(cfg.memory ?? 512), 10) * MIB;
  const maxdisk = rootSize(guest);
  const wobble = hashNoise(guest.vmid, Math.floor(nowMs / 10_000));
  const l = guest.load;
  return {
    cpu: running ? Number((l.cpu * (0.6 + 0.8 * wobble)).toFixed(6)) : 0,
    cpus,
    mem: running ? Math.floor(maxmem * l.memFraction * (0.95 + 0.1 * wobble)) : 0,
    maxmem,
    disk: guest.type === "lxc" && running ? Math.floor(maxdisk * l.diskFraction) : 0,
    maxdisk,
    uptime,
    netin: Math.floor(uptime * l.netRate),
    netout: Math.floor(uptime * l.netRate * 0.4),
    diskread: Math.floor(uptime * l.ioRate),
    diskwrite: Math.floor(uptime * l.ioRate * 0.3),
  };
}

const name = (g: GuestRecord): string =>
  String(
    g.type === "lxc" ? (g.config.hostname ?? `CT${g.vmid}`) : (g.config.name ?? `VM${g.vmid}`),
  );

function optional(g: GuestRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (g.config.lock !== undefined) out.lock = g.config.lock;
  if (g.config.tags !== undefined) out.tags = g.config.tags;
  return out;
}

/** GET /nodes/{node}/lxc/{vmid}/status/current and …/qemu/{vmid}/status/current. */
export function statusCurrent(
  g: GuestRecord,
  nowMs: number,
  hostCpus: number,
): Record<string, unknown> {
  const u = usage(g, nowMs, hostCpus);
  const base: Record<string, unknown> = {
    cpu: u.cpu,
    cpus: u.cpus,
    diskread: u.diskread,
    diskwrite: u.diskwrite,
    ha: { managed: 0 },
    maxdisk: u.maxdisk,
    maxmem: u.maxmem,
    mem: u.mem,
    name: name(g),
    netin: u.netin,
    netout: u.netout,
    status: g.status,
    uptime: u.uptime,
    vmid: g.vmid,
    ...optional(g),
  };
  if (g.config.template) base.template = 1;
  if (g.type === "lxc") {
    base.type = "lxc";
    base.disk = u.disk;
    base.maxswap = Number(g.config.swap ?? 512) * MIB;
    base.swap = 0;
  } else {
    base.qmpstatus = g.status;
    if (g.config.agent !== undefined)
      base.agent =
        String(g.config.agent).startsWith("1") || /enabled=1/.test(String(g.config.agent)) ? 1 : 0;
    if (g.status === "running") {
      base["running-machine"] = "pc-i440fx-10.1+pve0";
      base["running-qemu"] = "10.1.2";
    }
  }
  if (g.status === "running") base.pid = 100_000 + ((g.vmid * 7919) % 900_000);
  return base;
}

/** One entry of GET /nodes/{node}/lxc or …/qemu. */
export function listEntry(
  g: GuestRecord,
  nowMs: number,
  hostCpus: number,
): Record<string, unknown> {
  const { ha: _ha, ...rest } = statusCurrent(g, nowMs, hostCpus);
  return rest;
}

/** A guest entry of GET /cluster/resources. */
export function resourceEntry(
  g: GuestRecord,
  node: string,
  nowMs: number,
  hostCpus: number,
): Record<string, unknown> {
  const u = usage(g, nowMs, hostCpus);
  return {
    id: `${g.type}/${g.vmid}`,
    type: g.type,
    vmid: g.vmid,
    node,
    name: name(g),
    status: g.status,
    cpu: u.cpu,
    maxcpu: u.cpus,
    mem: u.mem,
    maxmem: u.maxmem,
    disk: u.disk,
    maxdisk: u.maxdisk,
    uptime: u.uptime,
    netin: u.netin,
    netout: u.netout,
    diskread: u.diskread,
    diskwrite: u.diskwrite,
    template: g.config.template ? 1 : 0,
    ...optional(g),
  };
}
