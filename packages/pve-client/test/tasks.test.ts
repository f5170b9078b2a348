// waitTask against a scripted task reader: every outcome, the early "no such task" window, transient poll
// failures, log streaming and reading the tail from the end. Every wait runs in virtual time (node:test mock
// timers): durations, poll gaps, deadlines and aborts are exact, however busy the machine is.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  PveHttpError,
  PveResponseShapeError,
  PveTransportError,
  parseUpid,
  silentLogger,
  waitTask,
  type PveError,
  type TaskLogLine,
  type TaskReader,
  type TaskStatus,
  type WaitOptions,
} from "@felhom/pve-client";
import { inVirtualTime, taskStatusAnswer } from "./helpers.js";

const upid = parseUpid("UPID:pve:00001234:00005678:6650A1B2:vzrestore:101:felhom@pve!agent:");

interface Script {
  /** How long the task runs, ms. */
  durationMs: number;
  exitstatus: string;
  /** Log lines, revealed evenly over the duration; all present once stopped. */
  log: string[];
  /** Status calls that fail first, in order. */
  failures?: Error[];
}

function scripted(s: Script) {
  const t0 = performance.now();
  const calls = { status: 0, log: 0, statusTimes: [] as number[] };
  const failures = [...(s.failures ?? [])];
  const visible = () => {
    const el = performance.now() - t0;
    if (el >= s.durationMs) return s.log.length;
    return Math.floor((s.log.length * el) / s.durationMs);
  };
  const httpError = (status: number, msg: string) =>
    new PveHttpError(msg, { method: "GET", path: "/x", status, statusText: msg, fieldErrors: {} });
  const reader: TaskReader = {
    taskStatus(): Promise<TaskStatus> {
      calls.status++;
      calls.statusTimes.push(performance.now() - t0);
      const f = failures.shift();
      if (f) return Promise.reject(f);
      const stopped = performance.now() - t0 >= s.durationMs;
      return Promise.resolve(taskStatusAnswer(upid, stopped ? s.exitstatus : undefined));
    },
    taskLog(_u, range) {
      calls.log++;
      const n = visible();
      const lines: TaskLogLine[] = [];
      for (let i = range.start; i < n && lines.length < range.limit; i++)
        lines.push({ n: i + 1, t: s.log[i] ?? "" });
      if (n === 0) return Promise.resolve({ lines: [{ n: 1, t: "no content" }], total: 1 });
      return Promise.resolve({ lines, total: n });
    },
  };
  return { reader, calls, httpError };
}

const fast: WaitOptions = { pollMinMs: 5, pollMaxMs: 40, timeoutMs: 5000 };

async function failure(p: Promise<unknown>): Promise<PveError & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as PveError & Record<string, unknown>;
  }
  assert.fail("expected the wait to throw");
}

test("waitTask – OK after running is the ok outcome", (t) =>
  inVirtualTime(t, async () => {
    const { reader, calls } = scripted({
      durationMs: 120,
      exitstatus: "OK",
      log: ["a", "TASK OK"],
    });
    const out = await waitTask(reader, upid, fast, silentLogger);
    assert.deepEqual(out, { status: "ok", upid });
    assert.ok(calls.status >= 2);
  }));

test("waitTask – WARNINGS: N returns the WARN lines when accepted, and throws otherwise", (t) =>
  inVirtualTime(t, async () => {
    const log = ["start", "WARN: a", "mid", "WARN: b", "TASK WARNINGS: 2"];
    const ok = scripted({ durationMs: 30, exitstatus: "WARNINGS: 2", log });
    const out = await waitTask(ok.reader, upid, { ...fast, acceptWarnings: true }, silentLogger);
    assert.deepEqual(out, { status: "warnings", upid, count: 2, lines: ["WARN: a", "WARN: b"] });
    const strict = scripted({ durationMs: 30, exitstatus: "WARNINGS: 2", log });
    const e = await failure(waitTask(strict.reader, upid, fast, silentLogger));
    assert.equal(e.code, "PVE_TASK_WARNINGS");
    assert.equal(e["count"], 2);
    assert.deepEqual(e["lines"], ["WARN: a", "WARN: b"]);
  }));

test("waitTask – a failed task carries its message and the log tail read from the end", (t) =>
  inVirtualTime(t, async () => {
    const log = Array.from({ length: 300 }, (_, i) => `line ${i}`);
    log.push("TASK ERROR: unable to restore CT 101 - no space left on device");
    const { reader } = scripted({
      durationMs: 20,
      exitstatus: "unable to restore CT 101 - no space left on device",
      log,
    });
    const e = await failure(waitTask(reader, upid, { ...fast, logTailLines: 20 }, silentLogger));
    assert.equal(e.code, "PVE_TASK_FAILED");
    assert.equal(e["kind"], "error");
    assert.equal(e["exitstatus"], "unable to restore CT 101 - no space left on device");
    const tail = e["logTail"] as string[];
    assert.equal(tail.length, 20);
    assert.equal(tail.at(-1), "TASK ERROR: unable to restore CT 101 - no space left on device");
    assert.equal(tail[0], "line 281");
  }));

test("waitTask – lock timeout, permission failure and interrupts inside the task get their codes", (t) =>
  inVirtualTime(t, async () => {
    const cases: [string, string, Record<string, unknown>][] = [
      [
        "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout",
        "PVE_LOCK_TIMEOUT",
        { vmid: 101 },
      ],
      [
        "Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)",
        "PVE_PERMISSION",
        { aclPath: "/storage/local-lvm" },
      ],
      ["received interrupt", "PVE_TASK_FAILED", { kind: "interrupted" }],
      ["unexpected status", "PVE_TASK_FAILED", { kind: "unexpected-status" }],
    ];
    for (const [exitstatus, code, fields] of cases) {
      const { reader } = scripted({
        durationMs: 10,
        exitstatus,
        log: [`TASK ERROR: ${exitstatus}`],
      });
      const e = await failure(waitTask(reader, upid, fast, silentLogger));
      assert.equal(e.code, code, exitstatus);
      for (const [k, v] of Object.entries(fields)) assert.equal(e[k], v, `${exitstatus} ${k}`);
      const task = e["task"] as { upid: unknown; logTail: string[] };
      assert.equal(task.upid, upid);
      assert.deepEqual(task.logTail, [`TASK ERROR: ${exitstatus}`]);
    }
  }));

test("waitTask – keeps polling through the early 400 no such task and transient failures", (t) =>
  inVirtualTime(t, async () => {
    const s = scripted({ durationMs: 10, exitstatus: "OK", log: [] });
    const noSuch = s.httpError(400, "no such task");
    const again = scripted({
      durationMs: 10,
      exitstatus: "OK",
      log: [],
      failures: [
        noSuch,
        noSuch,
        s.httpError(503, "busy"),
        s.httpError(596, "Broken pipe"),
        s.httpError(599, "Too many redirections"),
        new PveTransportError("GET", "/x", {
          requestSent: true,
          attempts: 3,
          mutating: false,
          cause: new Error("reset"),
        }),
      ],
    });
    const out = await waitTask(again.reader, upid, fast, silentLogger);
    assert.equal(out.status, "ok");
    assert.equal(again.calls.status, 7);
  }));

test("waitTask – a garbled status answer (data: null) is polled again, five times in a row at most", (t) =>
  inVirtualTime(t, async () => {
    const shape = () =>
      new PveResponseShapeError("GET", "/x", [{ path: [], message: "expected object, got null" }]);
    const some = scripted({
      durationMs: 10,
      exitstatus: "OK",
      log: [],
      failures: [shape(), shape(), shape()],
    });
    assert.equal((await waitTask(some.reader, upid, fast, silentLogger)).status, "ok");
    assert.equal(some.calls.status, 4);
    const many = scripted({
      durationMs: 10,
      exitstatus: "OK",
      log: [],
      failures: Array.from({ length: 6 }, shape),
    });
    const e = await failure(waitTask(many.reader, upid, fast, silentLogger));
    assert.equal(e.code, "PVE_RESPONSE_SHAPE");
    assert.equal(many.calls.status, 6);
  }));

test("waitTask – no such task beyond the grace window is an error", (t) =>
  inVirtualTime(t, async () => {
    const s = scripted({ durationMs: 10, exitstatus: "OK", log: [] });
    const errs = Array.from({ length: 100 }, () => s.httpError(400, "no such task"));
    const t = scripted({ durationMs: 10, exitstatus: "OK", log: [], failures: errs });
    const e = await failure(
      waitTask(t.reader, upid, { ...fast, noSuchTaskGraceMs: 60 }, silentLogger),
    );
    assert.equal(e.code, "PVE_HTTP");
    assert.equal(e["status"], 400);
  }));

test("waitTask – its own deadline gives PVE_TASK_TIMEOUT; an abort gives PVE_TASK_CANCELLED", (t) =>
  inVirtualTime(t, async () => {
    const { reader } = scripted({ durationMs: 60_000, exitstatus: "OK", log: [] });
    const e = await failure(waitTask(reader, upid, { ...fast, timeoutMs: 150 }, silentLogger));
    assert.equal(e.code, "PVE_TASK_TIMEOUT");
    assert.equal(e["lastStatus"], "running");
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("shutting down")), 60);
    const c = await failure(waitTask(reader, upid, { ...fast, signal: ac.signal }, silentLogger));
    assert.equal(c.code, "PVE_TASK_CANCELLED");
  }));

test("waitTask – streams every log line once, in order, while running and after the end", (t) =>
  inVirtualTime(t, async () => {
    const log = Array.from({ length: 1200 }, (_, i) => `step ${i}`);
    const { reader } = scripted({ durationMs: 300, exitstatus: "OK", log });
    const got: TaskLogLine[] = [];
    let linesWhileRunning = 0;
    let done = false;
    const p = waitTask(reader, upid, { ...fast, onLog: (l) => got.push(l) }, silentLogger).then(
      (o) => {
        done = true;
        return o;
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    if (!done) linesWhileRunning = got.length;
    await p;
    assert.ok(linesWhileRunning > 0, "lines arrive before the task ends");
    assert.equal(got.length, 1200);
    assert.deepEqual(
      got.map((l) => l.n),
      Array.from({ length: 1200 }, (_, i) => i + 1),
    );
    assert.equal(got.at(-1)?.t, "step 1199");
  }));

test("waitTask – polls fast at first, then backs off to the cap", (t) =>
  inVirtualTime(t, async () => {
    // 4 s: past the first 2 s, where gaps stay at most 100 ms (poll-schedule.ts, SHORT_TASK_PHASE)
    const { reader, calls } = scripted({ durationMs: 4000, exitstatus: "OK", log: [] });
    await waitTask(
      reader,
      upid,
      { pollMinMs: 20, pollMaxMs: 300, timeoutMs: 10_000 },
      silentLogger,
      () => 0.5,
    );
    const gaps = calls.statusTimes.slice(1).map((t, i) => t - (calls.statusTimes[i] ?? 0));
    assert.ok((gaps[0] ?? 0) < 100, `first gap ${gaps[0]}`);
    assert.ok(
      gaps.every((g) => g < 300 * 1.2 + 60),
      `gaps ${gaps.join(",")}`,
    );
    assert.ok(Math.max(...gaps) > 240, "the interval grew to the cap");
    assert.ok(
      gaps.slice(0, 20).every((g) => g <= 120 + 1e-6),
      `gaps ${gaps.join(",")}`,
    );
    // a fixed 20 ms poll would need ~200 calls for 4 s
    assert.ok(calls.status < 45, `status calls ${calls.status}`);
  }));

test("taskFailure – a vzdump 'job errors' is typed by its guest's failure line (locks, permissions)", async () => {
  const { taskFailure, PveLockError, PvePermissionError, PveTaskFailedError } =
    await import("@felhom/pve-client");
  const dump = parseUpid("UPID:pve:00001234:00005678:6650A1B2:vzdump:101:felhom@pve!agent:");
  const tail = (cause: string) => [
    "INFO: starting new backup job: vzdump 101 --mode snapshot --storage local",
    "INFO: Starting Backup of VM 101 (lxc)",
    `ERROR: Backup of VM 101 failed - ${cause}`,
    "INFO: Failed at 2026-11-27 04:00:00",
    "INFO: Backup job finished with errors",
    "TASK ERROR: job errors",
  ];
  const locked = taskFailure({
    upid: dump,
    exitstatus: "job errors",
    logTail: tail("CT is locked (snapshot)"),
  });
  assert.ok(locked instanceof PveLockError);
  assert.equal(locked.code, "PVE_LOCKED");
  const timeout = taskFailure({
    upid: dump,
    exitstatus: "job errors",
    logTail: tail("can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout"),
  });
  assert.equal(timeout.code, "PVE_LOCK_TIMEOUT");
  const denied = taskFailure({
    upid: dump,
    exitstatus: "job errors",
    logTail: tail("403 Permission check failed (/vms/101, VM.Backup)"),
  });
  assert.ok(denied instanceof PvePermissionError);
  const other = taskFailure({
    upid: dump,
    exitstatus: "job errors",
    logTail: tail("no space left on device"),
  });
  assert.ok(other instanceof PveTaskFailedError);
  assert.equal(other.code, "PVE_TASK_FAILED");
  // Only vzdump's summary status is read this way.
  const restore = taskFailure({
    upid,
    exitstatus: "job errors",
    logTail: tail("CT is locked (snapshot)"),
  });
  assert.equal(restore.code, "PVE_TASK_FAILED");
});
