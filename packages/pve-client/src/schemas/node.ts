// Node-level answers, each checked by the compiled record parser: /version, /nodes/{node}/status (read on
// every snapshot), rrddata (a list of numeric samples; missing samples stay absent rather than NaN) and
// /access/permissions.
import { listOf, mapOf, record, t, type Infer, type RecordParser } from "./record.js";

const versionSpec = {
  version: t.string,
  release: t.string,
  repoid: t.string,
  console: t.opt.string,
};
/** GET /version; keys beyond these are left out. */
export const parseVersion = record(versionSpec, { others: "drop" });
export type PveVersion = Infer<typeof versionSpec>;

const usage = { total: t.number, used: t.number, free: t.opt.number, available: t.opt.number };

const nodeStatusSpec = {
  cpu: t.number,
  wait: t.opt.number,
  uptime: t.opt.number,
  idle: t.opt.number,
  loadavg: t.numbers,
  memory: t.object(usage),
  swap: t.opt.object(usage),
  rootfs: t.opt.object({
    total: t.number,
    used: t.number,
    free: t.opt.number,
    avail: t.opt.number,
  }),
  ksm: t.opt.object({ shared: t.number }),
  cpuinfo: t.opt.object({
    cpus: t.number,
    cores: t.opt.number,
    sockets: t.opt.number,
    model: t.opt.string,
    /** PVE sends it as a string ("3400.000"). */
    mhz: t.opt.string,
  }),
  kversion: t.opt.string,
  pveversion: t.opt.string,
  "current-kernel": t.opt.object({
    sysname: t.opt.string,
    release: t.opt.string,
    version: t.opt.string,
    machine: t.opt.string,
  }),
  "boot-info": t.opt.object({ mode: t.string, secureboot: t.opt.boolean }),
};

/** GET /nodes/{node}/status, normalised; polled every few seconds, so the compiled record parser. */
export const parseNodeStatus = record(nodeStatusSpec);
export type NodeStatus = Infer<typeof nodeStatusSpec>;

/** One rrd sample: `time` (epoch seconds) plus whatever series the node reports (cpu, mem, netin, …). */
export type RrdSample = { time: number } & Partial<Record<string, number>>;

const rrdSamples = listOf(record({ time: t.number }, { others: t.lenient.number }));

/** GET /nodes/{node}/rrddata: each sample keeps its numeric series; `null` (no data yet) is no samples. */
export const parseRrd: RecordParser<RrdSample[]> = (input, path, issues) =>
  input === null ? [] : rrdSamples(input, path, issues);

/** /access/permissions: ACL path → privilege → propagate flag. */
export const parsePermissions = mapOf(t.map(t.boolean));
export type Permissions = Record<string, Record<string, boolean>>;
