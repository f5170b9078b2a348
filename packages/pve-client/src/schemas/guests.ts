// Guest lists and current status (GET /nodes/{node}/lxc|qemu, …/status/current), normalised: LXC lists send
// vmid and sizes as strings, `template` as 0/1 or "".
import { listOf, record, t, type Infer } from "./record.js";

export type GuestKind = "lxc" | "qemu";
export type GuestRunState = "running" | "stopped";

const common = {
  vmid: t.number,
  status: t.oneOf<GuestRunState>(["running", "stopped"]),
  name: t.opt.string,
  tags: t.opt.list,
  template: t.opt.boolean,
  lock: t.opt.string,
  cpu: t.opt.number,
  cpus: t.opt.number,
  mem: t.opt.number,
  maxmem: t.opt.number,
  disk: t.opt.number,
  maxdisk: t.opt.number,
  diskread: t.opt.number,
  diskwrite: t.opt.number,
  netin: t.opt.number,
  netout: t.opt.number,
  uptime: t.opt.number,
  pressurecpusome: t.opt.number,
  pressureiosome: t.opt.number,
  pressureiofull: t.opt.number,
  pressurememorysome: t.opt.number,
  pressurememoryfull: t.opt.number,
};
const lxcOnly = { maxswap: t.opt.number, swap: t.opt.number, type: t.opt.string };
const qemuOnly = {
  pid: t.opt.number,
  qmpstatus: t.opt.string,
  "running-machine": t.opt.string,
  "running-qemu": t.opt.string,
  memhost: t.opt.number,
  pressurecpufull: t.opt.number,
  serial: t.opt.boolean,
};
const statusOnly = { ha: t.opt.unknown, agent: t.opt.boolean, spice: t.opt.boolean };

const lxcSpec = { ...common, ...lxcOnly };
const qemuSpec = { ...common, ...qemuOnly };

export type LxcListItem = Infer<typeof lxcSpec>;
export type QemuListItem = Infer<typeof qemuSpec>;
/** A guest from either list, tagged with its kind. */
export type GuestListItem = (LxcListItem & { kind: "lxc" }) | (QemuListItem & { kind: "qemu" });

export const parseLxcList = listOf(record(lxcSpec));
export const parseQemuList = listOf(record(qemuSpec));

const lxcStatusSpec = { ...lxcSpec, ...statusOnly };
const qemuStatusSpec = { ...qemuSpec, ...statusOnly };
export type LxcStatus = Infer<typeof lxcStatusSpec>;
export type QemuStatus = Infer<typeof qemuStatusSpec>;
export type GuestStatus = (LxcStatus & { kind: "lxc" }) | (QemuStatus & { kind: "qemu" });

export const parseLxcStatus = record(lxcStatusSpec);
export const parseQemuStatus = record(qemuStatusSpec);
