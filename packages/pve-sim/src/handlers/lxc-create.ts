// POST /nodes/{node}/lxc: create a container from a template (vzcreate) or restore one from a backup archive
// (vzrestore), following pve-container's create_vm: synchronous checks, a 'create' lock, then the worker.
import { dieError, paramError, perlText, permError } from "../errors.js";
import { parsePropertyString, printPropertyString } from "../schema/property-string.js";
import type { Params } from "../schema/validate-params.js";
import { NEW_DISK_RE, parseMountPoint, volumeKeys, VOLID_RE } from "../state/guest-config.js";
import type { GuestConfig } from "../state/model.js";
import { GIB } from "../state/model.js";
import { humanSize, parseSize } from "../state/sizes.js";
import type { TaskContext } from "../tasks/context.js";
import { checkBridgeAccess, checkCtModifyConfigPerm } from "./config-perms.js";
import { materializeLxcValue } from "./guest-config.js";
import { flockPath, setRunning } from "./guests.js";
import type { ApiRequest, Handler } from "./types.js";
import { num, startTask, str } from "./types.js";
import { checkVolumeAccess, volumePath } from "./volumes.js";
import { text } from "../text.js";

const EXTRACTED = new Set([
  "node",
  "vmid",
  "ostemplate",
  "storage",
  "restore",
  "unique",
  "force",
  "start",
  "pool",
  "unprivileged",
  "password",
  "ssh-public-keys",
  "ignore-unpack-errors",
  "bwlimit",
  "ha-managed",
]);
/** Keys sanitize_and_merge_config never takes from the backup. */
const NOT_FROM_BACKUP =
  /^(digest|rootfs|snapshots|unprivileged|parent|template|lock|mp\d+|unused\d+)$/;

function checkStorage(req: ApiRequest, sid: string): void {
  const s = req.core.state.storages.get(sid);
  if (!s) throw dieError(`storage '${sid}' does not exist\n`);
  if (!s.content.includes("rootdir"))
    throw paramError({ storage: `storage '${sid}' does not support container directories` });
  req.core.state.access.check(req.authid, `/storage/${sid}`, ["Datastore.AllocateSpace"]);
}

const create: Handler = (req) => {
  const { core, params, authid } = req;
  const { state } = core;
  const vmid = num(params.vmid) ?? 0;
  const restore = Number(params.restore ?? 0) === 1;
  const unique = Number(params.unique ?? 0) === 1;
  const force = Number(params.force ?? 0) === 1;
  let unprivileged =
    params.unprivileged === undefined ? undefined : Number(params.unprivileged) === 1;
  if (!restore) {
    unprivileged ??= true;
    if (!unprivileged) state.access.check(authid, "/", ["Sys.Modify"]);
  }
  const existing = state.guest(vmid);
  if (!(existing && restore && force)) {
    if (existing)
      throw dieError(
        `${existing.type === "lxc" ? "CT" : "VM"} ${vmid} already exists on node '${state.node.name}'\n`,
      );
  } else {
    if (existing.status === "running") throw dieError("can't overwrite running container\n");
    if (Number(existing.config.protection ?? 0) === 1)
      throw dieError(`unable to restore CT ${vmid} - protection mode enabled\n`);
  }
  if (
    !state.access.check(authid, `/vms/${vmid}`, ["VM.Allocate"], true) &&
    !(
      restore &&
      force &&
      existing &&
      state.access.check(authid, `/vms/${vmid}`, ["VM.Backup"], true)
    )
  )
    throw permError();
  const ostemplate = str(params.ostemplate) ?? "";
  const storage = str(params.storage) ?? "local";
  const rest: Params = {};
  for (const [k, v] of Object.entries(params)) if (!EXTRACTED.has(k)) rest[k] = v;
  checkCtModifyConfigPerm(state, authid, vmid, undefined, rest, [], unprivileged ?? false);
  if (ostemplate === "-") throw dieError("pipe requires cli environment\n");
  checkVolumeAccess(state, state.access, authid, vmid, ostemplate, restore ? "backup" : "vztmpl");
  const mpKeys = Object.keys(rest).filter((k) => k === "rootfs" || /^mp\d+$/.test(k));
  for (const k of Object.keys(rest)) if (/^unused\d+$/.test(k)) delete rest[k];
  if (mpKeys.length > 0 && rest.rootfs === undefined)
    throw dieError("mount points configured, but 'rootfs' not set - aborting\n");
  for (const k of mpKeys) {
    const mp = parseMountPoint(text(rest[k]));
    if (mp.type !== "volume") {
      if (authid !== "root@pam") throw dieError("Only root can pass arbitrary filesystem paths.\n");
    } else
      checkStorage(
        req,
        NEW_DISK_RE.exec(mp.volume)?.[1] ?? VOLID_RE.exec(mp.volume)?.[1] ?? storage,
      );
  }
  if (rest.rootfs === undefined) checkStorage(req, storage);

  // create_and_lock_config: the container exists from now on, locked 'create'.
  if (existing) existing.config = { ...existing.config, lock: "create" };
  else state.addGuest({ vmid, type: "lxc", config: { lock: "create" }, registerVolumes: false });
  const emsg = restore ? `unable to restore CT ${vmid} -` : `unable to create CT ${vmid} -`;
  const startAfter = Number(params.start ?? 0) === 1;
  return startTask(req, {
    type: restore ? "vzrestore" : "vzcreate",
    id: String(vmid),
    run: async (ctx) => {
      await ctx.withLock(flockPath({ type: "lxc", vmid }), core.options.lockTimeoutMs, async () => {
        const allocated: string[] = [];
        try {
          await worker(req, ctx, {
            vmid,
            restore,
            unique,
            unprivileged,
            ostemplate,
            storage,
            rest,
            existing: !!existing,
            allocated,
          });
        } catch (err) {
          for (const volid of allocated) state.removeVolume(volid);
          if (!existing) state.removeGuest(vmid);
          else delete existing.config.lock;
          throw dieError(`${emsg} ${perlText(err)}`);
        }
      });
      if (startAfter) {
        const g = state.guest(vmid);
        if (g && g.status !== "running") setRunning(core, g, true);
      }
    },
  });
};

interface WorkerArgs {
  vmid: number;
  restore: boolean;
  unique: boolean;
  unprivileged: boolean | undefined;
  ostemplate: string;
  storage: string;
  rest: Params;
  existing: boolean;
  allocated: string[];
}

async function worker(req: ApiRequest, ctx: TaskContext, a: WorkerArgs): Promise<void> {
  const { core, authid } = req;
  const { state } = core;
  const found = state.findVolume(a.ostemplate);
  const conf: GuestConfig = {};
  let orig: GuestConfig = {};
  if (a.restore) {
    ctx.log(`recovering backed-up configuration from '${a.ostemplate}'`);
    if (!found?.volume.backup)
      throw dieError(
        `unable to read archive '${volumePath(found?.storage, a.ostemplate)}' - no such file\n`,
      );
    orig = found.volume.backup.config;
    for (const key of Object.keys(orig))
      if (/^net\d+$/.test(key) && a.rest[key] === undefined)
        checkBridgeAccess(state.access, authid, String(orig[key]));
    const unpriv = a.unprivileged ?? Number(orig.unprivileged ?? 0) === 1;
    if (unpriv) conf.unprivileged = 1;
    if (!a.existing && !unpriv) state.access.check(authid, "/", ["Sys.Modify"]);
  } else if (!found)
    throw dieError(
      `ERROR: file '${volumePath(state.storages.get(a.ostemplate.split(":")[0] ?? ""), a.ostemplate)}' does not exist\n`,
    );
  else conf.unprivileged = a.unprivileged === false ? 0 : 1;
  await ctx.step(0.15);

  // Volumes: the given rootfs/mpN, else the backup's (storage-only restore), else "STORAGE:4".
  let mps: Record<string, string> = {};
  for (const k of Object.keys(a.rest))
    if (k === "rootfs" || /^mp\d+$/.test(k)) mps[k] = text(a.rest[k]);
  if (Object.keys(mps).length === 0) {
    if (a.restore) {
      for (const key of volumeKeys("lxc", orig)) {
        const mp = parseMountPoint(String(orig[key]));
        if (mp.type !== "volume") {
          if (key === "rootfs")
            throw dieError(
              `restoring rootfs to ${mp.type} mount is only possible by specifying -rootfs manually!\n`,
            );
          if (authid !== "root@pam")
            throw dieError(`restoring '${key}' to ${mp.type} mount is only possible for root\n`);
          continue;
        }
        if (mp.size === undefined)
          throw dieError(`unable to detect disk size - please specify ${key} (size)\n`);
        const gib = (parseSize(mp.size) ?? 4 * GIB) / GIB;
        const { volume: _v, size: _s, ...opts } = mp.options;
        mps[key] = printPropertyString(
          { volume: `${a.storage}:${gib}`, ...opts },
          { defaultKey: "volume", first: ["mp"] },
        );
      }
      if (!mps.rootfs)
        throw dieError(
          "rootfs configuration could not be recovered, please check and specify manually!\n",
        );
    } else mps = { rootfs: `${a.storage}:4` };
  }
  for (const [key, value] of Object.entries(mps)) {
    const out = String(materializeLxcValue(core, a.vmid, key, value));
    const volid = parseMountPoint(out).volume;
    if (volid !== parseMountPoint(value).volume) {
      a.allocated.push(volid);
      const size = parseSize(parseMountPoint(out).size ?? "") ?? 0;
      ctx.log(`  Logical volume "${volid.split(":")[1]}" created.`);
      ctx.log(
        `Creating filesystem with ${Math.floor(size / 4096)} 4k blocks and ${Math.floor(size / 16384)} inodes`,
      );
    }
    conf[key] = out;
  }
  await ctx.step(0.5);

  const archive = volumePath(found?.storage, a.ostemplate);
  if (a.restore) {
    ctx.log(`restoring '${a.ostemplate}' now..`);
    ctx.log(`extracting archive '${archive}'`);
    const bytes = (found?.volume.size ?? 0) * 3;
    ctx.log(`Total bytes read: ${bytes} (${humanSize(bytes)}, ${humanSize(bytes / 4)}/s)`);
    ctx.log("merging backed-up and given configuration..");
    for (const [key, value] of Object.entries(orig)) {
      if (NOT_FROM_BACKUP.test(key) || a.rest[key] !== undefined) continue;
      if (key.startsWith("lxc.") && authid !== "root@pam") {
        ctx.warn(`skipping custom lxc option '${key}', restore manually as root`);
        continue;
      }
      let v = value;
      if (a.unique && /^net\d+$/.test(key))
        v = printPropertyString(
          { ...parsePropertyString(String(value)), hwaddr: core.prng.mac() },
          { first: ["name"] },
        );
      conf[key] = v;
    }
  } else {
    ctx.log(`extracting archive '${archive}'`);
    const bytes = (found?.volume.size ?? 0) * 4;
    ctx.log(`Total bytes read: ${bytes} (${humanSize(bytes)}, ${humanSize(bytes / 3)}/s)`);
    ctx.log("Detected container architecture: amd64");
    ctx.log("Creating SSH host key 'ssh_host_ed25519_key' - this may take some time ...");
  }
  for (const [key, value] of Object.entries(a.rest))
    if (key !== "rootfs" && !/^mp\d+$/.test(key))
      conf[key] = materializeLxcValue(core, a.vmid, key, value as string | number);
  await ctx.step(0.35);
  conf.hostname ??= `CT${a.vmid}`;
  conf.memory ??= 512;
  conf.swap ??= 512;
  conf.arch ??= "amd64";
  if (!a.restore) conf.ostype ??= "debian";
  const g = state.guest(a.vmid);
  if (!g) throw dieError("container vanished during create\n");
  g.config = conf;
  g.snapshots.clear();
  state.changed();
}

export const lxcCreateHandlers: Record<string, Handler> = { "POST /nodes/{node}/lxc": create };
