// Node-level answers: /version, /nodes/{node}/status (the compiled record parser: it is read on every
// snapshot), rrddata (a list of numeric samples; missing samples stay absent rather than NaN) and
// /access/permissions.
import { z } from "zod";
import type { ShapeIssue } from "../errors.js";
import { record, t, toBool, toNumber, type Infer } from "./record.js";

const bool = z.union([z.number(), z.boolean(), z.string()]).transform((v, ctx) => {
  const b = toBool(v);
  if (b === undefined) {
    ctx.issues.push({
      code: "custom",
      message: `expected boolean, got ${JSON.stringify(v)}`,
      input: v,
    });
    return z.NEVER;
  }
  return b;
});

export const VersionSchema = z.object({
  version: z.string(),
  release: z.string(),
  repoid: z.string(),
  console: z.string().optional(),
});
export type PveVersion = z.output<typeof VersionSchema>;

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

export function parseRrd(
  input: unknown,
  path: (string | number)[],
  issues: ShapeIssue[],
): RrdSample[] | undefined {
  if (input === null) return [];
  if (!Array.isArray(input)) {
    issues.push({ path, message: "expected array" });
    return undefined;
  }
  const out: RrdSample[] = [];
  for (let i = 0; i < input.length; i++) {
    const row: unknown = input[i];
    if (typeof row !== "object" || row === null) {
      issues.push({ path: [...path, i], message: "expected object" });
      return undefined;
    }
    const sample: Record<string, number> = {};
    for (const [k, v] of Object.entries(row)) {
      const n = toNumber(v);
      if (n !== undefined) sample[k] = n;
    }
    if (sample["time"] === undefined) {
      issues.push({ path: [...path, i, "time"], message: "required" });
      return undefined;
    }
    out.push(sample as RrdSample);
  }
  return out;
}

/** /access/permissions: ACL path → privilege → propagate flag. */
export const PermissionsSchema = z.record(z.string(), z.record(z.string(), bool));
export type Permissions = z.output<typeof PermissionsSchema>;
