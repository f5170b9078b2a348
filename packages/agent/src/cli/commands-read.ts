// The CLI's read-only API subcommands: node status, resources, metrics, guests, one guest, storage, storage
// content, snapshots, tasks and one task (with --follow).
import { API_OPERATIONS, parseUpid } from "@felhom/pve-client";
import type { Timeframe, Upid } from "@felhom/pve-client";
import { quote } from "../errors.js";
import { TASK_OPTIONS } from "./args.js";
import { GUEST_KINDS, KIND_OPTION, resolveGuest } from "./command.js";
import type { CommandDef } from "./command.js";
import { bytes, duration, keyValues, percent, table, time, usage } from "./format.js";
import type { ArgReader } from "./reader.js";
import { followTask, taskOptions } from "./task-runner.js";

function upidOperand(args: ArgReader, index: number): Upid {
  const raw = args.required(index);
  try {
    return parseUpid(raw);
  } catch {
    return args.fail(
      `UPID ${quote(raw)} is not a PVE task id (UPID:node:pid:pstart:starttime:type:id:user:)`,
    );
  }
}

const status: CommandDef = {
  name: "status",
  summary: "node status: CPU, memory, load, uptime, versions",
  operands: [],
  options: {},
  ops: ["nodeStatus"],
  async run(ctx) {
    const host = await ctx.host();
    const s = await host.nodeStatus({ signal: ctx.signal });
    return {
      data: s,
      text: keyValues([
        ["node", host.node],
        ["pve", s.pveversion],
        ["kernel", s["current-kernel"]?.release ?? s.kversion],
        ["uptime", duration(s.uptime)],
        ["cpu", `${percent(s.cpu)}${s.cpuinfo ? ` of ${s.cpuinfo.cpus} CPUs` : ""}`],
        ["load", s.loadavg.map((l) => l.toFixed(2)).join(" ")],
        ["memory", usage(s.memory.used, s.memory.total)],
        ["swap", s.swap ? usage(s.swap.used, s.swap.total) : undefined],
        ["root fs", s.rootfs ? usage(s.rootfs.used, s.rootfs.total) : undefined],
      ]),
    };
  },
};

const resources: CommandDef = {
  name: "resources",
  summary: "cluster resources (guests, storages, nodes) as PVE lists them",
  operands: [],
  options: { type: { type: "string", value: "vm|storage|node|sdn", help: "only this type" } },
  ops: ["clusterResources"],
  async run(ctx, args) {
    const type = args.choice("type", ["vm", "storage", "node", "sdn"] as const);
    const host = await ctx.host();
    const list = await host.clusterResources(type ? { type } : {}, { signal: ctx.signal });
    return {
      data: list,
      text: table(
        ["ID", "TYPE", "NODE", "STATUS", "NAME", "CPU", "MEM", "DISK"],
        list.map((r) => [
          r.id,
          r.type,
          r.node,
          r.status,
          r.name ?? r.storage,
          percent(r.cpu),
          r.maxmem ? usage(r.mem, r.maxmem) : undefined,
          r.maxdisk ? usage(r.disk, r.maxdisk) : undefined,
        ]),
      ),
    };
  },
};

const TIMEFRAMES = [
  "hour",
  "day",
  "week",
  "month",
  "year",
  "decade",
] as const satisfies readonly Timeframe[];

const metrics: CommandDef = {
  name: "metrics",
  summary: "node metrics over time (rrddata)",
  operands: [],
  options: {
    timeframe: { type: "string", value: TIMEFRAMES.join("|"), help: "the window (default hour)" },
    cf: { type: "string", value: "AVERAGE|MAX", help: "consolidation (default AVERAGE)" },
  },
  ops: ["rrddata"],
  async run(ctx, args) {
    const timeframe = args.choice("timeframe", TIMEFRAMES) ?? "hour";
    const cf = args.choice("cf", ["AVERAGE", "MAX"] as const);
    const host = await ctx.host();
    const samples = await host.rrddata(
      { timeframe, ...(cf ? { cf } : {}) },
      { signal: ctx.signal },
    );
    return {
      data: samples,
      text: table(
        ["TIME", "CPU", "MEM", "LOAD", "NET IN", "NET OUT"],
        samples
          .slice(-20)
          .map((s) => [
            time(s.time),
            percent(s.cpu),
            s.memtotal ? percent((s.memused ?? 0) / s.memtotal) : undefined,
            s.loadavg?.toFixed(2),
            bytes(s.netin),
            bytes(s.netout),
          ]),
      ),
    };
  },
};

const guests: CommandDef = {
  name: "guests",
  summary: "containers and VMs of the node, with their status",
  operands: [],
  options: {},
  ops: ["listGuests"],
  async run(ctx) {
    const host = await ctx.host();
    const list = await host.listGuests({ signal: ctx.signal });
    return {
      data: list,
      text: table(
        ["VMID", "KIND", "NAME", "STATUS", "LOCK", "CPU", "MEM", "UPTIME"],
        list.map((g) => [
          g.vmid,
          g.kind,
          g.name,
          g.status,
          g.lock,
          percent(g.cpu),
          g.maxmem ? usage(g.mem, g.maxmem) : undefined,
          g.status === "running" ? duration(g.uptime) : undefined,
        ]),
      ),
    };
  },
};

const guest: CommandDef = {
  name: "guest",
  summary: "one guest: current status and configuration",
  operands: [{ name: "VMID" }],
  options: { ...KIND_OPTION },
  ops: ["listGuests", "guestStatus", "guestConfig"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
    const host = await ctx.host();
    const [s, config] = await Promise.all([
      host.guestStatus(ref, { signal: ctx.signal }),
      host.guestConfig(ref, { signal: ctx.signal }),
    ]);
    const raw = Object.entries(config.raw)
      .filter(([k]) => k !== "digest")
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)] as const);
    return {
      data: { status: s, config },
      text: [
        keyValues([
          ["vmid", vmid],
          ["kind", ref.kind],
          ["name", s.name],
          ["status", s.status],
          ["lock", s.lock],
          ["uptime", s.status === "running" ? duration(s.uptime) : undefined],
          ["cpu", percent(s.cpu)],
          ["memory", s.maxmem ? usage(s.mem, s.maxmem) : undefined],
        ]),
        "",
        "config:",
        keyValues(raw.map(([k, v]) => [`  ${k}`, v])),
      ].join("\n"),
    };
  },
};

const storage: CommandDef = {
  name: "storage",
  summary: "storages of the node and their usage",
  operands: [],
  options: {},
  ops: ["storageList"],
  async run(ctx) {
    const host = await ctx.host();
    const list = await host.storageList({ signal: ctx.signal });
    return {
      data: list,
      text: table(
        ["STORAGE", "TYPE", "CONTENT", "ACTIVE", "USED", "TOTAL", "USE%"],
        list.map((s) => [
          s.storage,
          s.type,
          s.content.join(","),
          s.active === undefined ? undefined : s.active ? "yes" : "no",
          bytes(s.used),
          bytes(s.total),
          percent(s.used_fraction ?? (s.total ? (s.used ?? 0) / s.total : undefined)),
        ]),
      ),
    };
  },
};

const content: CommandDef = {
  name: "content",
  summary: "volumes on a storage (backups, templates, disks)",
  operands: [{ name: "STORAGE" }],
  options: {
    content: {
      type: "string",
      value: "TYPE",
      help: "only backup, vztmpl, iso, rootdir, images, …",
    },
    vmid: { type: "string", value: "VMID", help: "only volumes of this guest" },
  },
  ops: ["storageContent"],
  async run(ctx, args) {
    const id = args.matching(0, API_OPERATIONS.storageContent.args.storage);
    const kind = args.string("content", /^[a-z]{1,16}$/, "a content type");
    const vmid = args.int("vmid", API_OPERATIONS.storageContent.args.vmid);
    const host = await ctx.host();
    const list = await host.storageContent(
      id,
      { ...(kind ? { content: kind } : {}), ...(vmid !== undefined ? { vmid } : {}) },
      { signal: ctx.signal },
    );
    return {
      data: list,
      text: table(
        ["VOLID", "CONTENT", "FORMAT", "SIZE", "VMID", "CREATED"],
        list.map((v) => [v.volid, v.content, v.format, bytes(v.size), v.vmid, time(v.ctime)]),
      ),
    };
  },
};

const snapshots: CommandDef = {
  name: "snapshots",
  summary: "snapshots of a guest",
  operands: [{ name: "VMID" }],
  options: { ...KIND_OPTION },
  ops: ["listGuests", "snapshots"],
  async run(ctx, args) {
    const ref = await resolveGuest(ctx, args.vmid(0), args.choice("kind", GUEST_KINDS));
    const host = await ctx.host();
    const list = await host.snapshots(ref, { signal: ctx.signal });
    return {
      data: list,
      text: table(
        ["NAME", "PARENT", "CREATED", "DESCRIPTION"],
        list.map((s) => [s.name, s.parent, time(s.snaptime), s.description]),
      ),
    };
  },
};

const tasks: CommandDef = {
  name: "tasks",
  summary: "recent tasks of the node",
  operands: [],
  options: {
    limit: { type: "string", value: "N", help: "at most N tasks (default 50)" },
    vmid: { type: "string", value: "VMID", help: "only tasks of this guest" },
    errors: { type: "boolean", help: "only tasks that did not end OK" },
    source: { type: "string", value: "active|archive|all", help: "which tasks (default archive)" },
  },
  ops: ["taskList"],
  async run(ctx, args) {
    const limit = args.int("limit", 1, 10_000) ?? 50;
    const vmid = args.int("vmid", API_OPERATIONS.taskList.args.vmid);
    const source = args.choice("source", ["active", "archive", "all"] as const);
    const host = await ctx.host();
    const list = await host.taskList(
      {
        limit,
        ...(vmid !== undefined ? { vmid } : {}),
        ...(source ? { source } : {}),
        ...(args.flag("errors") ? { errors: true } : {}),
      },
      { signal: ctx.signal },
    );
    return {
      data: list,
      text: table(
        ["STARTED", "TYPE", "ID", "USER", "STATUS", "UPID"],
        list.map((t) => [
          time(t.starttime),
          t.type,
          t.id,
          t.tokenid ? `${t.user}!${t.tokenid}` : t.user,
          t.status,
          t.upid,
        ]),
      ),
    };
  },
};

const task: CommandDef = {
  name: "task",
  summary: "one task: status and log; --follow waits for it, streaming the log",
  operands: [{ name: "UPID" }],
  options: {
    follow: { type: "boolean", help: "wait for the task, streaming its log live" },
    lines: { type: "string", value: "N", help: "log lines to show (default 50, from the end)" },
    timeout: TASK_OPTIONS.timeout,
    "accept-warnings": TASK_OPTIONS["accept-warnings"],
    progress: TASK_OPTIONS.progress,
  },
  ops: ["taskStatus", "taskLog", "waitTask"],
  async run(ctx, args) {
    const upid = upidOperand(args, 0);
    const lines = args.int("lines", 1, 100_000) ?? 50;
    const follow = args.flag("follow");
    const opts = taskOptions(args);
    const host = await ctx.host();
    if (follow) return followTask(ctx, upid, `${upid.type} ${upid.id || ""}`.trim(), opts);
    const s = await host.taskStatus(upid, { signal: ctx.signal });
    const probe = await host.taskLog(
      upid,
      { start: 1_000_000_000, limit: 1 },
      { signal: ctx.signal },
    );
    const log = await host.taskLog(
      upid,
      { start: Math.max(0, probe.total - lines), limit: lines },
      { signal: ctx.signal },
    );
    return {
      data: { status: s, log: log.lines, total: log.total },
      text: [
        keyValues([
          ["upid", upid.raw],
          ["type", s.type],
          ["id", s.id],
          ["user", s.tokenid ? `${s.user}!${s.tokenid}` : s.user],
          ["started", time(s.starttime)],
          ["status", s.status],
          ["exitstatus", s.exitstatus],
        ]),
        "",
        `log (${log.lines.length} of ${log.total} lines):`,
        ...log.lines.map((l) => `  │ ${l.t}`),
      ].join("\n"),
    };
  },
};

export const READ_COMMANDS: readonly CommandDef[] = [
  status,
  resources,
  metrics,
  guests,
  guest,
  storage,
  content,
  snapshots,
  tasks,
  task,
];
