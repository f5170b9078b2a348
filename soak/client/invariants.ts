// The client soak's invariants, checked against the simulator's own records: no mutating request arrived twice,
// every call settled typed within its bound, what the client said about each call matches what the simulator
// did, and every task outcome the client reported is the one the simulator's task really had.
import type { ResultBuilder } from "../lib/result.js";
import type { CallRecord } from "./records.js";
import type { CompactRequest, CompactTask } from "./sim-protocol.js";

const count = (items: Iterable<string>): string => {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return (
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(", ") || "none"
  );
};

/** Assigns each recorded mutating request to the call with its key that had started last before it arrived.
 * Calls with one key never overlap and are at least 5 ms apart (operations.ts), so the owner is unambiguous. */
function assign(
  calls: CallRecord[],
  requests: CompactRequest[],
): { byCall: Map<CallRecord, CompactRequest[]>; orphans: CompactRequest[] } {
  const callsByKey = new Map<string, CallRecord[]>();
  for (const c of calls)
    if (c.key !== undefined)
      (callsByKey.get(c.key) ?? callsByKey.set(c.key, []).get(c.key))?.push(c);
  for (const list of callsByKey.values()) list.sort((a, b) => a.start - b.start);
  const byCall = new Map<CallRecord, CompactRequest[]>();
  const orphans: CompactRequest[] = [];
  for (const r of requests) {
    if (r.method === "GET") continue;
    const list = callsByKey.get(`${r.method} ${r.path}`) ?? [];
    let owner: CallRecord | undefined;
    for (const c of list) if (c.start <= r.at) owner = c;
    if (!owner) orphans.push(r);
    else (byCall.get(owner) ?? byCall.set(owner, []).get(owner))?.push(r);
  }
  return { byCall, orphans };
}

export interface Truth {
  requests: CompactRequest[];
  tasks: CompactTask[];
  stillRunning: number;
}

export function checkCalls(rb: ResultBuilder, records: CallRecord[], truth: Truth): void {
  const mutations = records.filter((r) => r.mutating);
  const reads = records.filter((r) => !r.mutating);
  const { byCall, orphans } = assign(mutations, truth.requests);

  // 1. No mutating request reached the simulator twice.
  const twice = mutations.filter((c) => (byCall.get(c)?.length ?? 0) > 1);
  rb.check(
    "no mutating request reached the simulator twice",
    twice.length === 0 && orphans.length === 0,
    `${mutations.length} mutating calls, ${truth.requests.filter((r) => r.method !== "GET").length} mutating requests recorded`,
    [
      ...twice.map(
        (c) =>
          `#${c.n} ${c.key} arrived ${byCall.get(c)?.length} times (seq ${byCall
            .get(c)
            ?.map((r) => r.seq)
            .join(",")}), client said ${c.ok ? "ok" : c.code}`,
      ),
      ...orphans.map((r) => `request seq ${r.seq} ${r.method} ${r.path} matches no call`),
    ],
  );

  // 2. What the client said about a call agrees with the simulator's record of it.
  const disagreements: string[] = [];
  let unknownApplied = 0;
  let unknown = 0;
  for (const c of mutations) {
    const got = byCall.get(c) ?? [];
    const rec = got[0];
    if (c.requestSent === false && got.length > 0)
      disagreements.push(`#${c.n} ${c.key}: client said never sent (${c.code}) but it arrived`);
    if (c.requestSent !== false && got.length === 0 && (c.ok || c.httpStatus !== undefined))
      disagreements.push(
        `#${c.n} ${c.key}: client got an answer (${c.ok ? "ok" : c.code}) but nothing arrived`,
      );
    if (!rec) continue;
    if (c.httpStatus !== undefined && rec.status !== c.httpStatus)
      disagreements.push(
        `#${c.n} ${c.key}: client saw HTTP ${c.httpStatus}, simulator answered ${rec.status ?? "nothing"}`,
      );
    if (c.upid !== undefined && rec.upid !== c.upid)
      disagreements.push(
        `#${c.n} ${c.key}: client got ${c.upid}, simulator started ${rec.upid ?? "no task"}`,
      );
    if (!c.ok && c.httpStatus !== undefined && rec.upid !== undefined)
      disagreements.push(
        `#${c.n} ${c.key}: client got ${c.code} (HTTP ${c.httpStatus}) but a task started: ${rec.upid}`,
      );
    if (!c.ok && c.httpStatus === undefined) {
      unknown++;
      if (rec.applied) unknownApplied++;
    }
  }
  rb.check(
    "what the client reported about each mutating call matches what the simulator recorded (status, UPID, sent or not)",
    disagreements.length === 0,
    `${mutations.length} calls compared`,
    disagreements,
  );
  rb.figure(
    "mutating calls whose result the client could not know (no answer; flagged as possibly sent, never re-sent)",
    unknown,
  );
  rb.figure(
    "… of which the simulator had applied (the caller must reconcile these)",
    unknownApplied,
  );

  // 3. Every call settled, typed, within its bound.
  const untyped = records.filter((r) => !r.ok && r.typed !== true);
  const late = records.filter((r) => r.ms > r.deadlineMs);
  rb.check(
    "every call succeeded or failed with a typed PveError (with a code)",
    untyped.length === 0,
    `${records.length} calls, ${records.filter((r) => !r.ok).length} failed, all typed`,
    untyped.map((r) => `#${r.n} ${r.op}: ${r.code}`),
  );
  rb.check(
    "every read and every request settled within its deadline (attempts × request timeout + backoff)",
    late.length === 0,
    `slowest read ${Math.max(0, ...reads.map((r) => r.ms))} ms, deadline ${reads[0]?.deadlineMs ?? 0} ms`,
    late.map((r) => `#${r.n} ${r.op} took ${r.ms} ms > ${r.deadlineMs} ms`),
  );
  rb.figure("reads", reads.length);
  rb.figure("read results", count(reads.map((r) => (r.ok ? "ok" : (r.code ?? "?")))));
  rb.figure("mutating calls", mutations.length);
  rb.figure("mutating call results", count(mutations.map((r) => (r.ok ? "ok" : (r.code ?? "?")))));
  const empty = reads.filter(
    (r) => r.ok && r.emptyList && (r.op === "listGuests" || r.op === "clusterResources"),
  );
  rb.check(
    "no guest or resource list read succeeded empty (the node always has guests; data: null is a shape error)",
    empty.length === 0,
    `${empty.length} empty list reads`,
    empty.map((r) => `#${r.n} ${r.op} returned an empty list`),
  );
}

export function checkTasks(rb: ResultBuilder, records: CallRecord[], truth: Truth): void {
  const tasks = new Map(truth.tasks.map((t) => [t.upid, t]));
  const waited = records.filter((r) => r.wait !== undefined && r.upid !== undefined);
  const wrong: string[] = [];
  const warnShape: string[] = [];
  let outcomes = 0;
  for (const r of waited) {
    const w = r.wait;
    const t = tasks.get(r.upid ?? "");
    if (!w || w.kind === "none") continue;
    outcomes++;
    const truthText = t === undefined ? "no such task" : `${t.status} ${t.exitstatus ?? ""}`;
    const agrees =
      t?.status === "stopped" &&
      ((w.kind === "ok" && t.exitstatus === "OK") ||
        (w.kind === "warnings" && t.exitstatus === `WARNINGS: ${w.count}`) ||
        (w.kind === "failed" &&
          w.exitstatus === t.exitstatus &&
          t.exitstatus !== "OK" &&
          !/^WARNINGS: /.test(t.exitstatus ?? "")));
    if (!agrees)
      wrong.push(
        `#${r.n} ${r.op} ${r.upid}: client ${w.kind}${w.exitstatus ? ` "${w.exitstatus}"` : ""}${w.count ? ` ${w.count}` : ""} (${w.code ?? ""}), simulator ${truthText}`,
      );
    if (w.kind === "warnings" && w.thrown === w.acceptWarnings)
      warnShape.push(
        `#${r.n} ${r.op}: acceptWarnings=${w.acceptWarnings} but the client ${w.thrown ? "threw" : "returned"}`,
      );
  }
  rb.check(
    "every task outcome the client reported equals the simulator's truth (exitstatus)",
    wrong.length === 0,
    `${outcomes} outcomes compared`,
    wrong,
  );
  rb.check(
    "WARNINGS: N was returned with acceptWarnings and thrown (PVE_TASK_WARNINGS) without it",
    warnShape.length === 0,
    `${waited.filter((r) => r.wait?.kind === "warnings").length} warning outcomes`,
    warnShape,
  );
  rb.figure(
    "tasks started by the workload (simulator)",
    truth.requests.filter((q) => q.upid !== undefined).length,
  );
  rb.figure("task waits", waited.length);
  rb.figure(
    "task outcomes reported",
    count(
      waited.map((r) =>
        r.wait?.kind === "failed" ? `failed/${r.wait.code}` : (r.wait?.kind ?? "?"),
      ),
    ),
  );
  const none = waited.filter((r) => r.wait?.kind === "none");
  rb.figure(
    "waits that ended without an outcome (a typed non-task error)",
    none.length === 0 ? 0 : `${none.length}: ${count(none.map((r) => r.wait?.code ?? "?"))}`,
  );
  rb.figure("tasks still running after the drain", truth.stillRunning);
}
