// The CLI's mutating API subcommands: restore, backup, snapshot, rollback, delete-snapshot, config, start, stop,
// shutdown. Each one that starts a PVE task waits for it by default (see task-runner.ts).
import { API_OPERATIONS, LXC_NET_CHANGE_KEYS, parsePropertyString } from "@felhom/pve-client";
import type {
  LxcConfigChanges,
  LxcNetChange,
  MountPointChange,
  QemuConfigChanges,
  QemuNetChange,
  QemuNetModel,
} from "@felhom/pve-client";
import { TASK_OPTIONS } from "./args.js";
import type { OptionSpecs } from "./args.js";
import { GUEST_KINDS, KIND_OPTION, resolveGuest } from "./command.js";
import type { CommandDef } from "./command.js";
import { keyValues } from "./format.js";
import type { ArgReader } from "./reader.js";
import { runTask, taskOptions } from "./task-runner.js";

/** The argument grammars each operation declares (pve-client's API_OPERATIONS): the CLI checks the same. */
const ARGS = {
  restore: API_OPERATIONS.restore.args,
  backup: API_OPERATIONS.backup.args,
  snapshot: API_OPERATIONS.snapshot.args,
  rollback: API_OPERATIONS.rollback.args,
  deleteSnapshot: API_OPERATIONS.deleteSnapshot.args,
  setConfig: API_OPERATIONS.setConfig.args,
} as const;

const TASK = { ...TASK_OPTIONS } as const satisfies OptionSpecs;

const restore: CommandDef = {
  name: "restore",
  summary: "restore a container from a vzdump archive into a new VMID (never starts it)",
  operands: [{ name: "VMID" }],
  options: {
    archive: {
      type: "string",
      value: "VOLID",
      help: "the backup, e.g. local:backup/vzdump-lxc-100-….tar.zst",
    },
    storage: {
      type: "string",
      value: "STORAGE",
      help: "storage for the root filesystem and mount points",
    },
    hostname: {
      type: "string",
      value: "NAME",
      help: "restore alongside the original: new MACs (unique=1) and this hostname",
    },
    ...TASK,
  },
  ops: ["restore", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const archive = args.requiredString(
      "archive",
      ARGS.restore.archive,
      "a volume id STORAGE:backup/FILE",
    );
    const storage = args.requiredString("storage", ARGS.restore.storage);
    const hostname = args.string("hostname", ARGS.restore.hostname);
    const opts = taskOptions(args);
    const host = await ctx.host();
    return runTask(ctx, `restore ${vmid}`, opts, () =>
      host.restore(
        {
          vmid,
          archive,
          storage,
          ...(hostname !== undefined ? { newIdentity: { hostname } } : {}),
        },
        { signal: ctx.signal },
      ),
    );
  },
};

const backup: CommandDef = {
  name: "backup",
  summary:
    "vzdump backup of a guest (snapshot mode by default; LXC snapshot backups are crash-consistent)",
  operands: [{ name: "VMID" }],
  options: {
    storage: { type: "string", value: "STORAGE", help: "the backup storage" },
    mode: {
      type: "string",
      value: "snapshot|stop",
      help: "stop: consistent, stops the guest meanwhile",
    },
    compress: { type: "string", value: "zstd|gzip|lzo|0", help: "compression (default zstd)" },
    notes: { type: "string", value: "TEXT", help: "notes template, e.g. {{guestname}}" },
    protected: { type: "boolean", help: "protect the backup from pruning" },
    ...TASK,
  },
  ops: ["backup", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const storage = args.requiredString("storage", ARGS.backup.storage);
    const mode = args.choice("mode", ["snapshot", "stop"] as const) ?? "snapshot";
    const compress = args.choice("compress", ["zstd", "gzip", "lzo", "0"] as const) ?? "zstd";
    const notes = args.string("notes", /^[^\n\r]{1,1024}$/, "one line of text");
    const opts = taskOptions(args);
    const host = await ctx.host();
    return runTask(ctx, `backup ${vmid} (${mode} mode)`, opts, () =>
      host.backup(
        {
          vmid,
          mode,
          storage,
          compress,
          ...(notes !== undefined ? { notes } : {}),
          ...(args.flag("protected") ? { protected: true } : {}),
        },
        { signal: ctx.signal },
      ),
    );
  },
};

const snapshot: CommandDef = {
  name: "snapshot",
  summary: "take a snapshot of a guest",
  operands: [{ name: "VMID" }, { name: "NAME" }],
  options: {
    description: { type: "string", value: "TEXT", help: "a description" },
    vmstate: { type: "boolean", help: "QEMU: include the RAM state" },
    ...KIND_OPTION,
    ...TASK,
  },
  ops: ["listGuests", "snapshot", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const name = args.matching(1, ARGS.snapshot.name);
    const description = args.string("description", /^[^\n\r]{0,1024}$/, "one line of text");
    const opts = taskOptions(args);
    const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
    const host = await ctx.host();
    return runTask(ctx, `snapshot ${vmid} ${name}`, opts, () =>
      host.snapshot(
        ref,
        name,
        {
          ...(description !== undefined ? { description } : {}),
          ...(args.flag("vmstate") ? { vmstate: true } : {}),
        },
        { signal: ctx.signal },
      ),
    );
  },
};

const rollback: CommandDef = {
  name: "rollback",
  summary: "roll a guest back to a snapshot",
  operands: [{ name: "VMID" }, { name: "NAME" }],
  options: {
    start: { type: "boolean", help: "start the guest after the rollback" },
    ...KIND_OPTION,
    ...TASK,
  },
  ops: ["listGuests", "rollback", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const name = args.matching(1, ARGS.rollback.name, "a snapshot name");
    const opts = taskOptions(args);
    const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
    const host = await ctx.host();
    return runTask(ctx, `rollback ${vmid} ${name}`, opts, () =>
      host.rollback(ref, name, args.flag("start") ? { start: true } : {}, { signal: ctx.signal }),
    );
  },
};

const deleteSnapshot: CommandDef = {
  name: "delete-snapshot",
  summary: "delete a snapshot of a guest",
  operands: [{ name: "VMID" }, { name: "NAME" }],
  options: {
    force: { type: "boolean", help: "remove it from the config even if the storage fails" },
    ...KIND_OPTION,
    ...TASK,
  },
  ops: ["listGuests", "deleteSnapshot", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const name = args.matching(1, ARGS.deleteSnapshot.name, "a snapshot name");
    const opts = taskOptions(args);
    const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
    const host = await ctx.host();
    return runTask(ctx, `delete snapshot ${vmid} ${name}`, opts, () =>
      host.deleteSnapshot(ref, name, args.flag("force") ? { force: true } : {}, {
        signal: ctx.signal,
      }),
    );
  },
};

const SLOTS = [0, 1, 2, 3] as const;
const QEMU_MODELS: readonly QemuNetModel[] = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3"];

function bool(args: ArgReader, key: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === "1" || v === "0") return v === "1";
  return args.fail(`${key} must be 0 or 1`);
}

function num(args: ArgReader, key: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(v)) args.fail(`${key} must be a whole number`);
  return Number(v);
}

/** `name=eth0,bridge=vmbr0,ip=dhcp` → a typed LXC network change. */
function lxcNet(args: ArgReader, flag: string, spec: string): LxcNetChange {
  const p = parsePropertyString(spec);
  const known: readonly string[] = LXC_NET_CHANGE_KEYS;
  for (const k of Object.keys(p))
    if (!known.includes(k)) args.fail(`--${flag}: unknown key ${JSON.stringify(k)}`);
  if (p.name === undefined || p.bridge === undefined)
    args.fail(`--${flag} needs name= and bridge=`);
  const out: LxcNetChange = { name: p.name, bridge: p.bridge };
  for (const k of ["hwaddr", "ip", "ip6", "gw", "gw6"] as const)
    if (p[k] !== undefined) out[k] = p[k];
  const fw = bool(args, `--${flag} firewall`, p.firewall);
  if (fw !== undefined) out.firewall = fw;
  const down = bool(args, `--${flag} link_down`, p.link_down);
  if (down !== undefined) out.link_down = down;
  for (const k of ["mtu", "rate", "tag"] as const) {
    const n = num(args, `--${flag} ${k}`, p[k]);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** `virtio=AA:BB:…,bridge=vmbr0` or `model=virtio,bridge=vmbr0` → a typed QEMU network change. */
function qemuNet(args: ArgReader, flag: string, spec: string): QemuNetChange {
  const p = parsePropertyString(spec);
  let model = p.model as QemuNetModel | undefined;
  let macaddr = p.macaddr;
  for (const m of QEMU_MODELS) {
    if (p[m] !== undefined) {
      model = m;
      if (p[m] !== "") macaddr = p[m];
    }
  }
  if (model === undefined || !QEMU_MODELS.includes(model))
    args.fail(`--${flag} needs a model (virtio, e1000, …)`);
  if (p.bridge === undefined) args.fail(`--${flag} needs bridge=`);
  const out: QemuNetChange = { model, bridge: p.bridge };
  if (macaddr !== undefined) out.macaddr = macaddr;
  const fw = bool(args, `--${flag} firewall`, p.firewall);
  if (fw !== undefined) out.firewall = fw;
  for (const k of ["mtu", "queues", "rate", "tag"] as const) {
    const n = num(args, `--${flag} ${k}`, p[k]);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** `local-lvm:8,mp=/data,backup=0` → a mount point; `backup=` is required (a bulk volume must say 0). */
function mountPoint(args: ArgReader, flag: string, spec: string): MountPointChange {
  const p = parsePropertyString(spec, "volume");
  if (p.volume === undefined || p.mp === undefined)
    args.fail(`--${flag} needs VOLUME,mp=PATH,backup=0|1`);
  const backupFlag = bool(args, `--${flag} backup`, p.backup);
  if (backupFlag === undefined) {
    args.fail(`--${flag} needs an explicit backup=0 or backup=1 (a bulk volume must be backup=0)`);
  }
  const out: MountPointChange = { volume: p.volume, mp: p.mp, backup: backupFlag };
  if (p.size !== undefined) out.size = p.size;
  for (const k of ["acl", "ro", "quota", "replicate", "shared"] as const) {
    const b = bool(args, `--${flag} ${k}`, p[k]);
    if (b !== undefined) out[k] = b;
  }
  return out;
}

const configOptions: OptionSpecs = {
  memory: { type: "string", value: "MiB", help: "memory" },
  cores: { type: "string", value: "N", help: "CPU cores" },
  hostname: { type: "string", value: "NAME", help: "LXC: host name" },
  name: { type: "string", value: "NAME", help: "QEMU: VM name" },
  onboot: { type: "string", value: "0|1", help: "start at boot" },
  description: { type: "string", value: "TEXT", help: "description" },
  ...Object.fromEntries(
    SLOTS.map((i) => [
      `net${i}`,
      {
        type: "string",
        value: "SPEC",
        help: `network device ${i} (name=eth0,bridge=vmbr0,ip=dhcp)`,
      },
    ]),
  ),
  ...Object.fromEntries(
    SLOTS.map((i) => [
      `mp${i}`,
      {
        type: "string",
        value: "SPEC",
        help: `LXC mount point ${i} (local-lvm:8,mp=/data,backup=0)`,
      },
    ]),
  ),
  delete: {
    type: "string",
    value: "KEYS",
    help: "comma-separated options to remove (e.g. mp1,description)",
  },
  ...KIND_OPTION,
  ...TASK,
};

const config: CommandDef = {
  name: "config",
  summary: "show a guest's config, or change memory, cores, network, options and mount points",
  operands: [{ name: "VMID" }],
  options: configOptions,
  ops: ["listGuests", "guestConfig", "setConfig", "waitTask"],
  async run(ctx, args) {
    const vmid = args.vmid(0);
    const memory = args.int("memory", 16, 4_194_304);
    const cores = args.int("cores", 1, 8192);
    const hostname = args.string("hostname", ARGS.setConfig.hostname);
    const name = args.string("name", ARGS.setConfig.name, "a DNS name");
    const onboot = bool(args, "--onboot", args.string("onboot"));
    const description = args.string("description", /^[^\n\r]{0,8192}$/, "one line of text");
    const del = args.string(
      "delete",
      /^[a-z][a-z0-9_-]*(?:,[a-z][a-z0-9_-]*)*$/i,
      "a comma-separated list of keys",
    );
    const opts = taskOptions(args);
    const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
    const common = {
      ...(memory !== undefined ? { memory } : {}),
      ...(cores !== undefined ? { cores } : {}),
      ...(onboot !== undefined ? { onboot } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(del !== undefined ? { delete: del.split(",") } : {}),
    };
    const nets = SLOTS.map((i) => [i, args.string(`net${i}`)] as const).filter(
      ([, v]) => v !== undefined,
    );
    const mps = SLOTS.map((i) => [i, args.string(`mp${i}`)] as const).filter(
      ([, v]) => v !== undefined,
    );
    const host = await ctx.host();
    let change;
    if (ref.kind === "lxc") {
      if (name !== undefined) args.fail("--name is for VMs; containers have --hostname");
      const changes: LxcConfigChanges = {
        ...common,
        ...(hostname !== undefined ? { hostname } : {}),
      };
      if (nets.length)
        changes.net = Object.fromEntries(
          nets.map(([i, v]) => [i, lxcNet(args, `net${i}`, v ?? "")]),
        );
      if (mps.length)
        changes.mp = Object.fromEntries(
          mps.map(([i, v]) => [i, mountPoint(args, `mp${i}`, v ?? "")]),
        );
      change = { vmid, kind: "lxc" as const, changes };
    } else {
      if (hostname !== undefined) args.fail("--hostname is for containers; VMs have --name");
      if (mps.length) args.fail("mount points (--mpN) are for containers");
      const changes: QemuConfigChanges = { ...common, ...(name !== undefined ? { name } : {}) };
      if (nets.length)
        changes.net = Object.fromEntries(
          nets.map(([i, v]) => [i, qemuNet(args, `net${i}`, v ?? "")]),
        );
      change = { vmid, kind: "qemu" as const, changes };
    }
    const keys = Object.keys(change.changes);
    if (keys.length === 0) {
      const current = await host.guestConfig(ref, { signal: ctx.signal });
      const raw = Object.entries(current.raw).sort(([a], [b]) => a.localeCompare(b));
      return {
        data: current,
        text: keyValues(raw.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
      };
    }
    if (change.kind === "lxc") {
      // PVE applies container config changes synchronously: there is no task to wait for.
      await host.setConfig(change, { signal: ctx.signal });
      return {
        data: { vmid, kind: "lxc", changed: keys, status: "ok" },
        text: `✓ config ${vmid}: set ${keys.join(", ")}`,
      };
    }
    return runTask(ctx, `config ${vmid}`, opts, async () => {
      const upid = await host.setConfig(change, { signal: ctx.signal });
      if (upid === undefined) throw new Error("PVE returned no task for a VM config change");
      return upid;
    });
  },
};

function power(
  name: "start" | "stop" | "shutdown",
  summary: string,
  extra: OptionSpecs,
): CommandDef {
  return {
    name,
    summary,
    operands: [{ name: "VMID" }],
    options: { ...extra, ...KIND_OPTION, ...TASK },
    ops: ["listGuests", name, "waitTask"],
    async run(ctx, args) {
      const vmid = args.vmid(0);
      const shutdownTimeout = args.int("shutdown-timeout", 1, 86_400);
      const opts = taskOptions(args);
      const ref = await resolveGuest(ctx, vmid, args.choice("kind", GUEST_KINDS));
      const host = await ctx.host();
      const call = { signal: ctx.signal };
      return runTask(ctx, `${name} ${vmid}`, opts, () => {
        if (name === "start") return host.start(ref, call);
        if (name === "stop") {
          return host.stop(
            ref,
            args.flag("overrule-shutdown") ? { overruleShutdown: true } : {},
            call,
          );
        }
        return host.shutdown(
          ref,
          {
            ...(shutdownTimeout !== undefined ? { timeout: shutdownTimeout } : {}),
            ...(args.flag("force-stop") ? { forceStop: true } : {}),
          },
          call,
        );
      });
    },
  };
}

export const CHANGE_COMMANDS: readonly CommandDef[] = [
  restore,
  backup,
  snapshot,
  rollback,
  deleteSnapshot,
  config,
  power("start", "start a guest", {}),
  power("stop", "stop a guest at once (hard stop)", {
    "overrule-shutdown": { type: "boolean", help: "abort a running shutdown task first" },
  }),
  power("shutdown", "shut a guest down cleanly", {
    "shutdown-timeout": { type: "string", value: "SECONDS", help: "how long the guest gets" },
    "force-stop": { type: "boolean", help: "stop the guest if it does not shut down in time" },
  }),
];
