// The expected duration from PVE's task list: which rows count, how whole seconds are averaged, when no
// estimate is given; and waitTask using it on a virtual clock (few polls, low lag), degrading to the plain
// schedule when the list read fails, hangs or is not wanted.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  PveHttpError,
  earlierRunsQuery,
  estimateFromTaskList,
  parseUpid,
  waitTask,
  type TaskListItem,
  type TaskReader,
  type TaskStatus,
  type Upid,
  type WaitClock,
} from "@felhom/pve-client";
import { captureLogger, taskStatusAnswer } from "./helpers.js";

const T0 = 0x6650a1b2;
const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");
const upidAt = (start: number, type = "vzdump", id = "100", user = "felhom@pve!agent"): Upid =>
  parseUpid(`UPID:pve:0000${hex(start).slice(4)}:00C0FFEE:${hex(start)}:${type}:${id}:${user}:`);

/**
 * A task-list row exactly as PVE's node_tasks answers it (apidata.json returns: upid, node, pid, pstart,
 * starttime, type, id, user, status, endtime; plus tokenid for a token's task, $convert_token_task).
 */
function row(
  start: number,
  seconds: number,
  status = "OK",
  type = "vzdump",
  id = "100",
): TaskListItem {
  const u = upidAt(start, type, id);
  return {
    upid: u.raw,
    node: "pve",
    pid: u.pid,
    pstart: u.pstart,
    starttime: start,
    type,
    id,
    user: "felhom@pve",
    tokenid: "agent",
    status,
    endtime: start + seconds,
  };
}

/** Newest first, as PVE lists them: runs of `seconds` each, a minute apart, before the current task. */
const runs = (...seconds: number[]): TaskListItem[] =>
  seconds.map((s, i) => row(T0 - 60 * (i + 1), s));

const current = upidAt(T0);

test("earlierRunsQuery – this guest, this task type, finished OK or with warnings, newest 5", () => {
  assert.deepEqual(earlierRunsQuery(current), {
    vmid: 100,
    typefilter: "vzdump",
    source: "archive",
    statusfilter: ["ok", "warning"],
    limit: 5,
  });
  assert.equal(earlierRunsQuery(upidAt(T0, "vzdump", "")), undefined, "vzdump of several guests");
  assert.equal(earlierRunsQuery(upidAt(T0, "download", "local")), undefined, "not a guest id");
  assert.equal(earlierRunsQuery(upidAt(T0, "qmstart", "99")), undefined, "below PVE's vmid range");
});

test("estimateFromTaskList – the mean of steady earlier runs recovers what whole seconds round off", () => {
  assert.deepEqual(estimateFromTaskList(current, runs(5, 5, 5)), { ms: 5000, samples: 3 });
  // a 4.6 s job: PVE records 4 or 5 s depending on where in its second it started
  assert.deepEqual(estimateFromTaskList(current, runs(5, 4, 5, 5, 4)), { ms: 4600, samples: 5 });
  assert.deepEqual(estimateFromTaskList(current, runs(30, 31)), { ms: 30_500, samples: 2 });
});

test("estimateFromTaskList – no estimate from too few, unsteady or sub-second runs", () => {
  assert.equal(estimateFromTaskList(current, []), undefined);
  assert.equal(estimateFromTaskList(current, runs(5)), undefined, "one run");
  assert.equal(estimateFromTaskList(current, runs(5, 12, 5)), undefined, "the newest two disagree");
  assert.equal(estimateFromTaskList(current, runs(0, 0, 0)), undefined, "sub-second task");
  assert.equal(estimateFromTaskList(current, runs(1, 0, 1)), undefined, "under a second at times");
  assert.equal(estimateFromTaskList(current, runs(1, 1, 1)), undefined, "0.1 s or 1.9 s each?");
  // recorded as 1 s and as 2 s: it lasts between 1 and 2 s, and the mean says where
  assert.deepEqual(estimateFromTaskList(current, runs(2, 1, 2)), { ms: 5000 / 3, samples: 3 });
});

test("estimateFromTaskList – older runs join only while they agree with the newest", () => {
  // the backup doubled two runs ago: its older, shorter runs are not averaged in
  assert.deepEqual(estimateFromTaskList(current, runs(10, 10, 5, 5, 5)), {
    ms: 10_000,
    samples: 2,
  });
  // a 2 s job whose older runs were sub-second ones: those stop the extension
  assert.deepEqual(estimateFromTaskList(current, runs(2, 2, 0, 2)), { ms: 2000, samples: 2 });
});

test("estimateFromTaskList – only this guest's and type's finished, successful runs; never the task itself", () => {
  const rows: TaskListItem[] = [
    (({ endtime: _running, ...r }) => ({ ...r, status: "RUNNING" }))(row(T0, 0)),
    row(T0 - 10, 1, "OK", "vzdump", "101"),
    row(T0 - 20, 1, "OK", "qmstart", "100"),
    row(T0 - 30, 1, "job errors"),
    row(T0 - 40, 1, "unexpected status"),
    row(T0 - 50, 6, "WARNINGS: 2"),
    row(T0 - 60, 6),
  ];
  assert.deepEqual(estimateFromTaskList(current, rows), { ms: 6000, samples: 2 });
  const self = { ...row(T0, 7), upid: current.raw };
  assert.deepEqual(estimateFromTaskList(current, [self, ...rows]), { ms: 6000, samples: 2 });
});

/** Virtual time: sleeping moves it on at once, so a wait's polls are a pure function of the schedule. */
function virtualClock(): WaitClock & { at: number } {
  const c = {
    at: 0,
    now: () => c.at,
    sleep: (ms: number) => {
      c.at += ms;
      return Promise.resolve();
    },
  };
  return c;
}

/** A task that stops `durationMs` after the wait began, and a task list answered by `list`. */
function scripted(durationMs: number, list?: TaskReader["taskList"]) {
  const clock = virtualClock();
  const calls = { status: 0, list: 0, listSignal: undefined as AbortSignal | undefined };
  const reader: TaskReader = {
    taskStatus(): Promise<TaskStatus> {
      calls.status++;
      return Promise.resolve(taskStatusAnswer(current, clock.at >= durationMs ? "OK" : undefined));
    },
    taskLog: () => Promise.resolve({ lines: [{ n: 1, t: "TASK OK" }], total: 1 }),
  };
  if (list)
    reader.taskList = (node, filters, opts) => {
      calls.list++;
      calls.listSignal = opts?.signal;
      assert.equal(node, "pve");
      assert.deepEqual(filters, earlierRunsQuery(current));
      return list(node, filters, opts);
    };
  const wait = async (opts = {}) => {
    const cap = captureLogger();
    const out = await waitTask(reader, current, opts, cap.logger, () => 0.5, clock);
    assert.equal(out.status, "ok");
    const estimate = cap.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "pve task wait estimate");
    return { polls: calls.status, lagMs: clock.at - durationMs, estimate, calls };
  };
  return { wait, calls };
}

const answers = (rows: TaskListItem[]) => () => Promise.resolve(rows);

test("waitTask – a 5 s task whose earlier runs took 5 s: fewer polls than a fixed 1 s, lag under 100 ms", async () => {
  const withList = await scripted(5000, answers(runs(5, 5, 5))).wait();
  const plain = await scripted(5000, answers(runs(5, 5, 5))).wait({ estimateFromTaskList: false });
  assert.equal(withList.estimate?.source, "tasks");
  assert.equal(withList.estimate?.expectedMs, 5000);
  assert.equal(plain.estimate?.source, "none");
  assert.equal(plain.calls.list, 0, "no list read when not wanted");
  // fixed 1 s polling sees a 5 s task at its 6th poll
  assert.ok(withList.polls < 6, `${withList.polls} polls`);
  assert.ok(withList.lagMs >= 0 && withList.lagMs <= 100, `lag ${withList.lagMs} ms`);
  assert.ok(plain.polls > 2 * withList.polls, `plain ${plain.polls}, estimated ${withList.polls}`);
});

test("waitTask – a 30 s task expected at 30.5 s still ends in the window; safety polls bound the quiet", async () => {
  const w = await scripted(30_000, answers(runs(30, 31))).wait();
  assert.equal(w.estimate?.expectedMs, 30_500);
  assert.ok(w.polls <= 8, `${w.polls} polls`);
  assert.ok(w.lagMs >= 0 && w.lagMs <= 0.02 * 30_500, `lag ${w.lagMs} ms`);
});

test("waitTask – a failed or refused task-list read leaves the plain schedule, never an error", async () => {
  const refused = new PveHttpError("Permission check failed", {
    method: "GET",
    path: "/nodes/pve/tasks",
    status: 403,
    statusText: "Permission check failed",
    fieldErrors: {},
  });
  const failed = await scripted(5000, () => Promise.reject(refused)).wait();
  const plain = await scripted(5000).wait();
  assert.equal(failed.estimate?.source, "none");
  assert.equal(failed.estimate?.listFailed, "PVE_HTTP");
  assert.equal(plain.estimate?.source, "none", "a reader without taskList");
  assert.equal(failed.polls, plain.polls, "the same polls as without any list");
});

test("waitTask – a task-list read that never answers is abandoned when the wait ends", async () => {
  const hanging: TaskReader["taskList"] = (_n, _f, opts) =>
    new Promise((_, reject) =>
      opts?.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
    );
  const s = scripted(1200, hanging);
  const w = await s.wait();
  assert.equal(s.calls.listSignal?.aborted, true, "the read was aborted");
  await Promise.resolve();
  assert.ok(w.polls > 5, "plain schedule meanwhile");
});

test("waitTask – an expectedMs hint wins and the list is not read", async () => {
  const s = scripted(2000, answers(runs(9, 9)));
  const w = await s.wait({ expectedMs: 2000 });
  assert.equal(w.estimate?.source, "hint");
  assert.equal(s.calls.list, 0);
});
