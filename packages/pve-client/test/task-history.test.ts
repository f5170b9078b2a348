// The task history: bounded memory, keys (type + guest, then type), when a type stands in for a guest, the
// duration recorded from a wait's polls, and waitTask using and filling it (only for tasks that ended well).
// The waits run in virtual time (node:test mock timers): the tasks' durations and the polls are exact.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  TaskHistory,
  observedDuration,
  parseUpid,
  waitTask,
  type TaskReader,
  type TaskStatus,
  type Upid,
} from "@felhom/pve-client";
import { LruMap } from "../src/lru-map.js";
import { captureLogger, inVirtualTime, taskStatusAnswer } from "./helpers.js";

const upidFor = (type: string, id: string): Upid =>
  parseUpid(`UPID:pve:00001234:00005678:6650A1B2:${type}:${id}:felhom@pve!agent:`);

/** A task reader for one task that runs `durationMs` from its creation and ends with `exitstatus`. */
function oneTask(upid: Upid, durationMs: number, exitstatus: string) {
  const t0 = performance.now();
  const calls = { status: 0 };
  const reader: TaskReader = {
    taskStatus(): Promise<TaskStatus> {
      calls.status++;
      const stopped = performance.now() - t0 >= durationMs;
      return Promise.resolve(taskStatusAnswer(upid, stopped ? exitstatus : undefined));
    },
    taskLog: () => Promise.resolve({ lines: [{ n: 1, t: "WARN: disk almost full" }], total: 1 }),
  };
  return { reader, calls };
}

test("LruMap – keeps at most its capacity, dropping the least recently used", () => {
  const m = new LruMap<string, number>(3);
  m.set("a", 1);
  m.set("b", 2);
  m.set("c", 3);
  assert.equal(m.get("a"), 1, "a is now the most recent");
  m.set("d", 4);
  assert.equal(m.size, 3);
  assert.equal(m.has("b"), false, "b was the least recently used");
  assert.deepEqual([m.get("a"), m.get("c"), m.get("d")], [1, 3, 4]);
  assert.throws(() => new LruMap(0), RangeError);
});

test("TaskHistory – a guest's own latest duration of that task type", () => {
  const h = new TaskHistory();
  assert.equal(h.estimate({ type: "qmstart", id: "100" }), undefined);
  h.record({ type: "qmstart", id: "100" }, 1200);
  h.record({ type: "qmstart", id: "100" }, 1500);
  assert.deepEqual(h.estimate({ type: "qmstart", id: "100" }), { ms: 1500, source: "guest" });
  assert.equal(h.estimate({ type: "qmstop", id: "100" }), undefined, "another task type");
  assert.equal(h.estimate({ type: "qmstart", id: "101" }), undefined, "one sample of the type");
  h.record({ type: "qmstart", id: "100" }, Number.NaN);
  h.record({ type: "qmstart", id: "100" }, 0);
  assert.equal(h.estimate({ type: "qmstart", id: "100" })?.ms, 1500, "nonsense is not recorded");
});

test("TaskHistory – the type stands in for a new guest only when its last 3 durations agree (±25 %)", () => {
  const h = new TaskHistory();
  h.record({ type: "vzdump", id: "100" }, 60_000);
  h.record({ type: "vzdump", id: "101" }, 70_000);
  assert.equal(h.estimate({ type: "vzdump", id: "102" }), undefined, "two are not enough");
  h.record({ type: "vzdump", id: "103" }, 65_000);
  assert.deepEqual(
    h.estimate({ type: "vzdump", id: "102" }),
    { ms: 60_000, source: "type" },
    "the shortest of the three",
  );
  h.record({ type: "vzdump", id: "104" }, 400_000);
  assert.equal(
    h.estimate({ type: "vzdump", id: "102" }),
    undefined,
    "a big guest breaks the agreement",
  );
  assert.equal(
    h.estimate({ type: "vzdump", id: "104" })?.source,
    "guest",
    "its own figure still holds",
  );
  // a task without a guest id (vzdump of several guests) learns and reads at the type level only
  const all = new TaskHistory({ typeSamples: 2 });
  all.record({ type: "vzdump", id: "" }, 100_000);
  all.record({ type: "vzdump", id: "" }, 110_000);
  assert.equal(all.guests, 0);
  assert.deepEqual(all.estimate({ type: "vzdump", id: "" }), { ms: 100_000, source: "type" });
});

test("TaskHistory – remembers at most 256 guests by default, the least recently used forgotten", () => {
  const h = new TaskHistory();
  for (let vmid = 1000; vmid < 1300; vmid++) h.record({ type: "qmstart", id: String(vmid) }, vmid);
  assert.equal(h.guests, 256);
  assert.equal(h.estimate({ type: "qmstart", id: "1299" })?.ms, 1299);
  assert.notEqual(h.estimate({ type: "qmstart", id: "1000" })?.source, "guest");
  const small = new TaskHistory({ maxGuests: 2 });
  for (const id of ["1", "2", "3"]) small.record({ type: "qmstop", id }, 500);
  assert.equal(small.guests, 2);
});

test("observedDuration – the midpoint of a narrow gap; a wide one is pulled down to the last 'running'", () => {
  assert.equal(observedDuration(4900, 5025), 4962.5);
  assert.equal(observedDuration(25, 4800), 25 / 0.96);
  assert.equal(observedDuration(4000, 5000), 4000 / 0.96);
  assert.ok(
    observedDuration(4000, 5000) * 0.96 <= 4000,
    "the next window opens while this run still ran",
  );
});

test("waitTask – learns an OK task's duration; a second wait of it makes fewer status requests", (t) =>
  inVirtualTime(t, async () => {
    const history = new TaskHistory();
    const upid = upidFor("qmstart", "100");
    const first = oneTask(upid, 600, "OK");
    await waitTask(
      first.reader,
      upid,
      { timeoutMs: 10_000 },
      captureLogger().logger,
      Math.random,
      history,
    );
    const learned = history.estimate(upid);
    assert.equal(learned?.source, "guest");
    assert.ok(learned.ms >= 400 && learned.ms <= 900, `learned ${learned.ms} ms for 600 ms`);
    const cap = captureLogger();
    const second = oneTask(upid, 600, "OK");
    await waitTask(second.reader, upid, { timeoutMs: 10_000 }, cap.logger, Math.random, history);
    assert.ok(
      second.calls.status < first.calls.status,
      `${second.calls.status} status requests the second time, ${first.calls.status} the first`,
    );
    const estimate = cap.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "pve task wait estimate");
    assert.equal(estimate?.source, "guest");
    assert.equal(estimate?.expectedMs, learned.ms);
  }));

test("waitTask – records OK and WARNINGS, not failures nor tasks already stopped at the first poll", (t) =>
  inVirtualTime(t, async () => {
    const log = captureLogger().logger;
    const history = new TaskHistory();
    const failed = upidFor("qmstart", "200");
    await assert.rejects(
      waitTask(
        oneTask(failed, 150, "can't lock file 'x' - got timeout").reader,
        failed,
        {},
        log,
        Math.random,
        history,
      ),
    );
    assert.equal(history.estimate(failed), undefined, "a failure says nothing about a normal run");
    const warned = upidFor("vzdump", "201");
    await assert.rejects(
      waitTask(oneTask(warned, 150, "WARNINGS: 1").reader, warned, {}, log, Math.random, history),
      { code: "PVE_TASK_WARNINGS" },
    );
    assert.equal(history.estimate(warned)?.source, "guest", "WARNINGS ended the run normally");
    const instant = upidFor("qmstop", "202");
    await waitTask(oneTask(instant, 0, "OK").reader, instant, {}, log, Math.random, history);
    assert.equal(history.estimate(instant), undefined, "never seen running: no lower bound");
  }));

test("waitTask – an explicit expectedMs wins over the history", (t) =>
  inVirtualTime(t, async () => {
    const history = new TaskHistory();
    const upid = upidFor("qmstart", "300");
    history.record(upid, 20_000);
    const cap = captureLogger();
    const task = oneTask(upid, 150, "OK");
    const began = performance.now();
    await waitTask(task.reader, upid, { expectedMs: 150 }, cap.logger, Math.random, history);
    assert.ok(performance.now() - began < 5000, "did not sleep towards the remembered 20 s");
    const estimate = cap.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "pve task wait estimate");
    assert.deepEqual([estimate?.source, estimate?.expectedMs], ["hint", 150]);
    assert.ok((history.estimate(upid)?.ms ?? 0) < 1000, "and what it saw is learned");
  }));
