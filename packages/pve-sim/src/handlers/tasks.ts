// Task endpoints as pve-manager's PVE/API2/Tasks.pm serves them: the list (archive and active), status, log
// paging with start/limit/total, and DELETE to stop, with token ownership and the early "no such task" window.
import { splitTokenId } from "../auth/ids.js";
import { dieError, paramError } from "../errors.js";
import { splitList } from "../schema/formats.js";
import type { TaskRecord } from "../tasks/manager.js";
import { decodeUpid, statusType } from "../tasks/upid.js";
import type { ApiRequest, Handler } from "./types.js";
import { num, str } from "./types.js";

/** The decoded UPID as the API shows it; a token's task gets user + tokenid ($convert_token_task). */
export function taskFields(t: TaskRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: t.id,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    upid: t.upid,
    user: t.user,
  };
  const split = splitTokenId(t.user);
  if (split) {
    out.user = split[0];
    out.tokenid = split[1];
  }
  return out;
}

/** $check_task_user on the UPID's user field: a token sees its own tasks, a user its own and its tokens'. */
function ownsTask(user: string, authid: string): boolean {
  const split = splitTokenId(user);
  return split ? authid === user || authid === split[0] : authid === user;
}

/** Decodes the UPID (400 "unable to parse worker upid") and finds the task if the API may see it yet. */
function lookup(req: ApiRequest): { upid: string; owner: string; task: TaskRecord | undefined } {
  const upid = str(req.params.upid) ?? "";
  const fields = decodeUpid(upid);
  if (!fields) throw paramError({ upid: "unable to parse worker upid" });
  const task = req.core.state.tasks.get(upid);
  return {
    upid,
    owner: fields.user,
    task: task && req.core.state.tasks.isVisible(task) ? task : undefined,
  };
}

const list: Handler = ({ core, authid, params }) => {
  const { state } = core;
  const node = state.node.name;
  const start = num(params.start) ?? 0;
  let limit = num(params.limit) ?? 50;
  const userfilter = str(params.userfilter);
  const typefilter = str(params.typefilter);
  const vmid = num(params.vmid);
  const errors = Number(params.errors ?? 0) === 1;
  const source = str(params.source) ?? "archive";
  const since = num(params.since);
  const until = num(params.until);
  let allowed: Record<string, boolean> = { ok: true, warning: true, error: true, unknown: true };
  if (params.statusfilter !== undefined && !errors) {
    allowed = {};
    for (const f of splitList(str(params.statusfilter) ?? "")) allowed[f.toLowerCase()] = true;
  } else if (errors) allowed.ok = false;
  const auditor = state.access.check(authid, `/nodes/${node}`, ["Sys.Audit"], true);
  let count = 0;
  const out: unknown[] = [];
  const consider = (
    t: TaskRecord,
    status: string | undefined,
    extra: Record<string, unknown>,
  ): void => {
    const fields = taskFields(t);
    if (userfilter && !String(fields.user).toLowerCase().includes(userfilter.toLowerCase())) return;
    if (!(auditor || ownsTask(t.user, authid))) return;
    if (typefilter && t.type !== typefilter) return;
    if (vmid !== undefined && (!t.id || t.id !== String(vmid))) return;
    if (since !== undefined && t.starttime < since) return;
    if (until !== undefined && t.starttime > until) return;
    if (!allowed[statusType(status)]) return;
    if (count++ < start) return;
    if (limit <= 0) return;
    out.push({ ...fields, ...extra });
    limit--;
  };
  if (source === "active" || source === "all") {
    for (const t of state.tasks.active)
      if (state.tasks.isVisible(t)) consider(t, undefined, { status: "RUNNING" });
  }
  if (source !== "active") {
    const archive = state.tasks.archive;
    for (let i = archive.length - 1; i >= 0; i--) {
      const t = archive[i];
      if (t) consider(t, t.exitstatus, { endtime: t.endtime, status: t.exitstatus });
    }
  }
  return { data: out, total: count };
};

function requireOwnerOr(req: ApiRequest, owner: string, priv: string): void {
  if (!ownsTask(owner, req.authid))
    req.core.state.access.check(req.authid, `/nodes/${str(req.params.node)}`, [priv]);
}

const status: Handler = (req) => {
  const { owner, task } = lookup(req);
  if (!task) throw paramError({ upid: "no such task" });
  requireOwnerOr(req, owner, "Sys.Audit");
  const data: Record<string, unknown> = { ...taskFields(task), status: task.status };
  if (task.status === "stopped") data.exitstatus = task.exitstatus;
  return { data };
};

/** read_task_log: the owner check comes first, then the file (which may not exist yet). */
const log: Handler = (req) => {
  const { params } = req;
  const { owner, task } = lookup(req);
  requireOwnerOr(req, owner, "Sys.Audit");
  if (Number(params.download ?? 0) === 1) {
    if (params.start !== undefined || params.limit !== undefined)
      throw dieError("'download' cannot be used together with 'start' or 'limit' parameters\n");
    const text = task ? task.lines.map((l) => `${l}\n`).join("") : "";
    return { raw: { contentType: "text/plain", body: Buffer.from(text) } };
  }
  if (!task)
    return { data: [{ n: 1, t: "unable to open file - No such file or directory" }], total: 1 };
  const lines = task.lines;
  if (lines.length === 0) return { data: [{ n: 1, t: "no content" }], total: 1 };
  const start = num(params.start) ?? 0;
  const limit = num(params.limit) ?? 50;
  const end = limit === 0 ? lines.length : Math.min(lines.length, start + limit);
  const data: Array<{ n: number; t: string }> = [];
  for (let i = start; i < end; i++) data.push({ n: i + 1, t: lines[i] ?? "" });
  return { data, total: lines.length };
};

/** stop_task: "no such task" before the owner check, then SIGTERM and wait until it has stopped. */
const stop: Handler = async (req) => {
  const { owner, task } = lookup(req);
  if (!task) throw paramError({ upid: "no such task" });
  requireOwnerOr(req, owner, "Sys.Modify");
  await req.core.state.tasks.stop(task.upid);
  return { data: null };
};

export const taskHandlers: Record<string, Handler> = {
  "GET /nodes/{node}/tasks": list,
  "GET /nodes/{node}/tasks/{upid}/status": status,
  "GET /nodes/{node}/tasks/{upid}/log": log,
  "DELETE /nodes/{node}/tasks/{upid}": stop,
};
