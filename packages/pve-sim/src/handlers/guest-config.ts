// Config changes: PUT …/lxc/{vmid}/config (synchronous, under the config lock), PUT …/qemu/{vmid}/config
// (synchronous) and POST …/qemu/{vmid}/config (a qmconfig task), with digest checks, locks and permissions.
import type { SimCore } from "../core.js";
import { dieError, paramError } from "../errors.js";
import { splitList } from "../schema/formats.js";
import { parsePropertyString, printPropertyString } from "../schema/property-string.js";
import type { Params } from "../schema/validate-params.js";
import { configDigest, NEW_DISK_RE, parseMountPoint } from "../state/guest-config.js";
import type { GuestRecord, GuestType } from "../state/model.js";
import { GIB } from "../state/model.js";
import { formatSize } from "../state/sizes.js";
import { checkCtModifyConfigPerm, checkVmModifyConfigPerm } from "./config-perms.js";
import { checkLock, flockPath, loadGuest } from "./guests.js";
import type { ApiRequest, Handler } from "./types.js";
import { num, startTask, str } from "./types.js";
import { text } from "../text.js";

const META = new Set([
  "node",
  "vmid",
  "digest",
  "delete",
  "revert",
  "skiplock",
  "background_delay",
  "force",
]);

function settable(params: Params): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params))
    if (!META.has(k)) out[k] = typeof v === "number" ? v : text(v);
  return out;
}

/** Turns "local-lvm:8" mount points into new volumes and gives new NICs a MAC (update_pct_config). */
export function materializeLxcValue(
  core: SimCore,
  vmid: number,
  key: string,
  value: string | number,
): string | number {
  if ((key === "rootfs" || /^mp\d+$/.test(key)) && typeof value === "string") {
    const mp = parseMountPoint(value);
    const m = NEW_DISK_RE.exec(mp.volume);
    if (!m) return value;
    const size = Math.round(Number(m[2]) * GIB);
    const volid = core.state.allocateVolume(m[1] ?? "local", vmid, size, "rootdir");
    const { volume: _v, size: _s, ...rest } = mp.options;
    return printPropertyString(
      { volume: volid, ...rest, size: formatSize(size) },
      { defaultKey: "volume", first: ["mp"] },
    );
  }
  if (/^net\d+$/.test(key) && typeof value === "string") {
    const net = parsePropertyString(value);
    if (!net.hwaddr)
      return printPropertyString({ ...net, hwaddr: core.prng.mac() }, { first: ["name"] });
  }
  return value;
}

function applyDeletes(g: GuestRecord, keys: readonly string[]): void {
  for (const key of keys) {
    if (key === "rootfs") throw paramError({ delete: "unable to delete required option 'rootfs'" });
    const value = g.config[key];
    delete g.config[key];
    if (/^(mp\d+|(ide|sata|scsi|virtio)\d+)$/.test(key) && value !== undefined) {
      const volume = String(value).split(",")[0] ?? "";
      if (volume.includes(":") && !String(value).includes("media=cdrom")) {
        let n = 0;
        while (g.config[`unused${n}`] !== undefined) n++;
        g.config[`unused${n}`] = volume;
      }
    }
  }
}

function lxcUpdate(req: ApiRequest, g: GuestRecord): void {
  const { core, params, authid } = req;
  const del = splitList(str(params.delete) ?? "");
  const revert = splitList(str(params.revert) ?? "");
  checkLock(g);
  const digest = str(params.digest);
  if (digest && digest !== configDigest(g))
    throw dieError("detected modified configuration - file changed by other user? Try again.\n");
  const values = settable(params);
  const unpriv = Number(g.config.unprivileged ?? 0) === 1;
  checkCtModifyConfigPerm(core.state, authid, g.vmid, g.config, {}, [...del, ...revert], unpriv);
  for (const opt of del) {
    if (values[opt] !== undefined)
      throw paramError({ delete: `you can't use '-${opt}' and -delete ${opt}' at the same time` });
    if (revert.includes(opt))
      throw paramError({
        delete: `you can't use '-delete ${opt}' and '-revert ${opt}' at the same time`,
      });
  }
  checkCtModifyConfigPerm(core.state, authid, g.vmid, g.config, values, [], unpriv);
  if (
    values.unprivileged !== undefined &&
    Number(values.unprivileged) !== Number(g.config.unprivileged ?? 0)
  )
    throw paramError({ unprivileged: "unable to modify read-only option: 'unprivileged'" });
  applyDeletes(g, del);
  for (const [k, v] of Object.entries(values))
    g.config[k] = materializeLxcValue(core, g.vmid, k, v);
  core.state.changed();
}

const lxcPut: Handler = async (req) => {
  const { core, params } = req;
  const vmid = num(params.vmid) ?? 0;
  const keys = Object.keys(params).filter((k) => !["node", "vmid", "digest"].includes(k));
  if (keys.length === 0) throw dieError("no options specified\n");
  const release = await core.state.flocks.acquire(
    flockPath({ type: "lxc", vmid }),
    core.options.lockTimeoutMs,
  );
  try {
    lxcUpdate(req, loadGuest(core, "lxc", vmid));
  } finally {
    release();
  }
  return { data: null };
};

function qemuUpdate(core: SimCore, g: GuestRecord, params: Params): void {
  const del = splitList(str(params.delete) ?? "");
  applyDeletes(g, del);
  for (const [k, v] of Object.entries(settable(params))) {
    let value = v;
    if (/^net\d+$/.test(k) && typeof v === "string" && !/(virtio|e1000|rtl8139|vmxnet3)=/.test(v)) {
      const net = parsePropertyString(v, "model");
      const model = net.model ?? "virtio";
      const { model: _m, macaddr, ...rest } = net;
      value = printPropertyString(
        { [model]: macaddr ?? core.prng.mac(), ...rest },
        { first: [model] },
      );
    }
    g.config[k] = value;
  }
  core.state.changed();
}

function qemuPrecheck(req: ApiRequest, type: GuestType): GuestRecord {
  const { core, params, authid } = req;
  if (Number(params.skiplock ?? 0) === 1 && authid !== "root@pam")
    throw paramError({ skiplock: "Only root may use this option." });
  const g = loadGuest(core, type, num(params.vmid) ?? 0);
  checkVmModifyConfigPerm(core.state.access, authid, g.vmid, [
    ...Object.keys(settable(params)),
    ...splitList(str(params.delete) ?? ""),
  ]);
  const digest = str(params.digest);
  if (digest && digest !== configDigest(g))
    throw dieError("checksum mismatch (file change by other user?)\n");
  if (Number(params.skiplock ?? 0) !== 1) checkLock(g);
  return g;
}

const qemuPut: Handler = async (req) => {
  const { core } = req;
  const g = qemuPrecheck(req, "qemu");
  const release = await core.state.flocks.acquire(flockPath(g), core.options.lockTimeoutMs);
  try {
    const again = qemuPrecheck(req, "qemu");
    qemuUpdate(core, again, req.params);
  } finally {
    release();
  }
  return { data: null };
};

const qemuPost: Handler = async (req) => {
  const { core, params } = req;
  const g = qemuPrecheck(req, "qemu");
  const result = startTask(req, {
    type: "qmconfig",
    id: String(g.vmid),
    run: async (ctx) => {
      await ctx.withLock(flockPath(g), core.options.lockTimeoutMs, async () => {
        const current = qemuPrecheck(req, "qemu");
        await ctx.step(1);
        qemuUpdate(core, current, params);
      });
    },
  });
  const delay = num(params.background_delay);
  if (!delay || !("data" in result)) return result;
  const upid = String(result.data);
  const task = core.state.tasks.get(upid);
  if (!task) return result;
  const finished = await Promise.race([
    task.done.then(() => true),
    new Promise<boolean>((r) => core.clock.setTimeout(() => r(false), delay * 1000)),
  ]);
  if (!finished) return result;
  if (task.exitstatus === "OK" || /^WARNINGS: \d+$/.test(task.exitstatus ?? ""))
    return { data: null };
  throw dieError(`failed to update VM ${g.vmid}: ${task.exitstatus}\n`);
};

export const guestConfigHandlers: Record<string, Handler> = {
  "PUT /nodes/{node}/lxc/{vmid}/config": lxcPut,
  "PUT /nodes/{node}/qemu/{vmid}/config": qemuPut,
  "POST /nodes/{node}/qemu/{vmid}/config": qemuPost,
};
