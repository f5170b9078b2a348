// POST /nodes/{node}/vzdump: backups in stop / snapshot / suspend mode, one task for all guests, with vzdump's
// log, the 'backup' lock, mount points with backup=0 left out, and VM.Backup checked inside the task.
import { dieError, paramError, perlText } from "../errors.js";
import { splitList } from "../schema/formats.js";
import type { BackupManifest, GuestRecord } from "../state/model.js";
import { archiveStamp, humanSize } from "../state/sizes.js";
import type { TaskContext } from "../tasks/context.js";
import { flockPath, removeLock, setLock, setRunning } from "./guests.js";
import { backupVolumes } from "./vzdump-volumes.js";
import type { ApiRequest, Handler } from "./types.js";
import { startTask, str } from "./types.js";
import { text } from "../text.js";

const ROOT_ONLY = ["tmpdir", "dumpdir", "script", "job-id"];
const fmtTime = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
const dur = (s: number): string =>
  [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
    .map((n) => String(n).padStart(2, "0"))
    .join(":");

function commandLine(params: Record<string, unknown>, vmids: number[]): string {
  const opts = Object.keys(params)
    .filter((k) => k !== "vmid")
    .sort()
    .map((k) => `--${k} ${String(params[k])}`);
  return ["vzdump", ...vmids.map(String), ...opts].join(" ");
}

const vzdump: Handler = (req) => {
  const { core, params, authid } = req;
  const { state } = core;
  const node = state.node.name;
  if (params.node !== undefined && str(params.node) !== node)
    throw paramError({ node: "option is only allowed on the command line interface." });
  if (Number(params.stdout ?? 0) === 1)
    throw paramError({ stdout: "option is only allowed on the command line interface." });
  if (authid !== "root@pam") {
    for (const key of ROOT_ONLY)
      if (params[key] !== undefined) throw paramError({ [key]: "Only root may set this option." });
    if (["bwlimit", "ionice", "performance"].some((k) => params[k] !== undefined))
      state.access.check(authid, "/", ["Sys.Modify"]);
  }
  const all = Number(params.all ?? 0) === 1;
  if (all && params.vmid !== undefined)
    throw paramError({ all: "option conflicts with option 'vmid'" });
  if (params.exclude !== undefined && params.vmid !== undefined)
    throw paramError({ exclude: "option conflicts with option 'vmid'" });
  if (params.pool !== undefined && params.vmid !== undefined)
    throw paramError({ pool: "option conflicts with option 'vmid'" });
  const everything = all || params.exclude !== undefined;
  if (
    !everything &&
    params.pool === undefined &&
    params.vmid === undefined &&
    Number(params.stop ?? 0) !== 1
  )
    throw paramError({ vmid: "property is missing" });
  if (Number(params.stop ?? 0) === 1) state.access.check(authid, `/nodes/${node}`, ["Sys.Modify"]);
  const excluded = new Set(splitList(str(params.exclude) ?? "").map(Number));
  const vmids = everything
    ? [...state.guests.keys()].filter((id) => !excluded.has(id)).sort((a, b) => a - b)
    : [...new Set(splitList(str(params.vmid) ?? "").map(Number))].sort((a, b) => a - b);
  const storageId = params.dumpdir !== undefined ? undefined : (str(params.storage) ?? "local");
  if (storageId) state.access.check(authid, `/storage/${storageId}`, ["Datastore.AllocateSpace"]);
  const cmd = commandLine(params, everything ? [] : vmids);
  return startTask(req, {
    type: "vzdump",
    id: vmids.length === 1 && !everything ? String(vmids[0]) : "",
    interruptText: "interrupted by signal",
    run: (ctx) => runJob(req, ctx, { vmids, everything, storageId, cmd }),
  });
};

async function runJob(
  req: ApiRequest,
  ctx: TaskContext,
  job: { vmids: number[]; everything: boolean; storageId: string | undefined; cmd: string },
): Promise<void> {
  const { core, authid, params } = req;
  const { state } = core;
  const lockwait = Number(params.lockwait ?? 180) * 60_000;
  let releaseGlobal = core.state.flocks.tryAcquire("/var/run/vzdump.lock");
  if (!releaseGlobal) {
    ctx.log("INFO: trying to get global lock - waiting...");
    releaseGlobal = await ctx.lock("/var/run/vzdump.lock", lockwait, true);
    ctx.log("INFO: got global lock");
  }
  try {
    ctx.log(`INFO: starting new backup job: ${job.cmd}`);
    const storage = job.storageId ? state.storages.get(job.storageId) : undefined;
    if (job.storageId && (!storage || !storage.content.includes("backup")))
      throw dieError(`can't use storage '${job.storageId}' for backups - wrong content type\n`);
    const todo = job.vmids.filter(
      (id) =>
        !state.guest(id) || state.access.check(authid, `/vms/${id}`, ["VM.Backup"], job.everything),
    );
    let errors = 0;
    for (const vmid of todo) {
      const ok = await backupOne(req, ctx, vmid, job.storageId ?? "local", 1 / todo.length);
      if (!ok) errors++;
      if (ctx.isInterrupted()) break;
    }
    if (errors > 0) {
      ctx.log("INFO: Backup job finished with errors");
      throw dieError("job errors\n");
    }
    ctx.log("INFO: Backup job finished successfully");
  } finally {
    releaseGlobal();
  }
}

/** One guest's backup; logs vzdump's lines and returns false when it failed (the job goes on). */
async function backupOne(
  req: ApiRequest,
  ctx: TaskContext,
  vmid: number,
  storageId: string,
  share: number,
): Promise<boolean> {
  const { core, params } = req;
  const { state } = core;
  const started = core.clock.now();
  const g = state.guest(vmid);
  let locked = false;
  let stopped = false;
  let snapshot = false;
  try {
    if (!g) throw dieError(`unable to find VM '${vmid}'\n`);
    ctx.log(`INFO: Starting Backup of VM ${vmid} (${g.type})`);
    ctx.log(`INFO: Backup started at ${fmtTime(started)}`);
    const running = g.status === "running";
    ctx.log(`INFO: status = ${running ? "running" : "stopped"}`);
    await ctx.withLock(flockPath(g), core.options.lockTimeoutMs, () => setLock(core, g, "backup"));
    locked = true;
    const mode = running ? (str(params.mode) ?? "snapshot") : "stop";
    const name = g.type === "lxc" ? g.config.hostname : g.config.name;
    if (name !== undefined)
      ctx.log(`INFO: ${g.type === "lxc" ? "CT" : "VM"} Name: ${String(name)}`);
    const vols = backupVolumes(g);
    for (const line of vols.lines) ctx.log(line);
    ctx.log(`INFO: backup mode: ${mode}`);
    ctx.log(`INFO: ionice priority: ${text(params.ionice ?? 7)}`);
    await ctx.step(share * 0.1);
    if (mode === "stop" && running) {
      ctx.log("INFO: stopping virtual guest");
      setRunning(core, g, false);
      stopped = true;
    }
    if (mode === "snapshot" && g.type === "lxc") {
      ctx.log("INFO: create storage snapshot 'vzdump'");
      g.snapshots.set("vzdump", {
        name: "vzdump",
        snaptime: Math.floor(core.clock.now() / 1000),
        description: "vzdump backup snapshot",
        config: { ...g.config },
      });
      snapshot = true;
      state.changed();
    }
    const compress = str(params.compress) ?? "0";
    const ext = { "0": "", "1": ".lzo", lzo: ".lzo", gzip: ".gz", zstd: ".zst" }[compress] ?? "";
    const base = g.type === "lxc" ? ".tar" : ".vma";
    const file = `vzdump-${g.type}-${vmid}-${archiveStamp(started)}${base}${ext}`;
    const storage = state.storages.get(storageId);
    ctx.log(`INFO: creating vzdump archive '${storage?.path ?? "/var/lib/vz"}/dump/${file}'`);
    await ctx.step(share * 0.8);
    const written = Math.max(vols.bytes * 0.3, 64 * 1024 * 1024);
    const size = Math.floor(written / (ext ? 2.8 : 1));
    ctx.log(
      `INFO: Total bytes written: ${Math.floor(written)} (${humanSize(written)}, ${humanSize(written / 8)}/s)`,
    );
    ctx.log(`INFO: archive file size: ${humanSize(size)}`);
    const manifest: BackupManifest = {
      guestType: g.type,
      vmid,
      mode: mode as BackupManifest["mode"],
      config: { ...g.config },
      included: vols.included,
      excluded: vols.excluded,
      upid: ctx.upid,
    };
    delete manifest.config.lock;
    state.addVolume(storageId, {
      volid: `${storageId}:backup/${file}`,
      content: "backup",
      format: `${base.slice(1)}${ext}`,
      size,
      ctime: Math.floor(started / 1000),
      vmid,
      subtype: g.type,
      ...(params["notes-template"] !== undefined
        ? { notes: renderNotes(text(params["notes-template"]), g, vmid, state.node.name) }
        : {}),
      ...(Number(params.protected ?? 0) === 1 ? { protected: 1 as const } : {}),
      backup: manifest,
    });
    if (params["notes-template"] !== undefined) ctx.log("INFO: adding notes to backup");
    if (Number(params.protected ?? 0) === 1) ctx.log("INFO: marking backup as protected");
    await ctx.step(share * 0.1);
    cleanup();
    const secs = Math.max(1, Math.round((core.clock.now() - started) / 1000));
    ctx.log(`INFO: Finished Backup of VM ${vmid} (${dur(secs)})`);
    ctx.log(`INFO: Backup finished at ${fmtTime(core.clock.now())}`);
    return true;
  } catch (err) {
    cleanup();
    ctx.log(`ERROR: Backup of VM ${vmid} failed - ${perlText(err).replace(/\n$/, "")}`);
    ctx.log(`INFO: Failed at ${fmtTime(core.clock.now())}`);
    return false;
  }

  function cleanup(): void {
    if (!g) return;
    if (snapshot) {
      ctx.log("INFO: cleanup temporary 'vzdump' snapshot");
      g.snapshots.delete("vzdump");
      snapshot = false;
    }
    if (locked) removeLock(core, g, "backup");
    locked = false;
    if (stopped) {
      ctx.log("INFO: restarting vm");
      setRunning(core, g, true);
      ctx.log(
        `INFO: guest is online again after ${Math.max(1, Math.round((core.clock.now() - started) / 1000))} seconds`,
      );
      stopped = false;
    }
  }
}

function renderNotes(tmpl: string, g: GuestRecord, vmid: number, node: string): string {
  const name = String(g.type === "lxc" ? (g.config.hostname ?? "") : (g.config.name ?? ""));
  return tmpl
    .replace(
      /\{\{(cluster|guestname|node|vmid)\}\}/g,
      (_, k: string) => ({ cluster: node, guestname: name, node, vmid: String(vmid) })[k] ?? "",
    )
    .replace(/\\n/g, "\n");
}

export const vzdumpHandlers: Record<string, Handler> = { "POST /nodes/{node}/vzdump": vzdump };
