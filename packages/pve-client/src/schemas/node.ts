// Node-level answers: /version, /nodes/{node}/status (nested, so zod) and rrddata (a list of numeric
// samples, so the fast parser; missing samples stay absent rather than NaN).
import { z } from "zod";
import type { ShapeIssue } from "../errors.js";
import { toBool, toNumber } from "./record.js";

const num = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = toNumber(v);
  if (n === undefined) {
    ctx.issues.push({
      code: "custom",
      message: `expected number, got ${JSON.stringify(v)}`,
      input: v,
    });
    return z.NEVER;
  }
  return n;
});
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

const usage = z.object({ total: num, used: num, free: num.optional(), available: num.optional() });

export const NodeStatusSchema = z.object({
  cpu: num,
  wait: num.optional(),
  uptime: num.optional(),
  idle: num.optional(),
  loadavg: z.array(num),
  memory: usage,
  swap: usage.optional(),
  rootfs: z
    .object({ total: num, used: num, free: num.optional(), avail: num.optional() })
    .optional(),
  ksm: z.object({ shared: num }).optional(),
  cpuinfo: z
    .object({
      cpus: num,
      cores: num.optional(),
      sockets: num.optional(),
      model: z.string().optional(),
      mhz: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
  kversion: z.string().optional(),
  pveversion: z.string().optional(),
  "current-kernel": z
    .object({ sysname: z.string(), release: z.string(), version: z.string(), machine: z.string() })
    .partial()
    .optional(),
  "boot-info": z.object({ mode: z.string(), secureboot: bool.optional() }).optional(),
});
export type NodeStatus = z.output<typeof NodeStatusSchema>;

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
