// Fault injection: latency, resets before and after the request is applied (with the recorded `applied` flag),
// error statuses with and without a body, data:null, forced task outcomes, times and seeded probability.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startSim, type Sim } from "../src/index.js";
import { call, upidOf, waitTask } from "./helpers.js";

let sim: Sim;
before(async () => (sim = await startSim({ quiet: true, taskDurationMs: 30 })));
after(() => sim.close());

const lastFor = (path: string) => [...sim.requests].reverse().find((r) => r.path === path);

test("faults – latency delays the answer (real time)", async () => {
  const h = sim.faults.add({
    method: "GET",
    path: "/version",
    times: 1,
    kind: { type: "latency", ms: 150 },
  });
  const t0 = Date.now();
  assert.equal((await call(sim, "GET", "/version")).status, 200);
  assert.ok(Date.now() - t0 >= 140);
  assert.equal(h.hits, 1);
});

test("faults – reset before read: the connection drops and nothing is applied", async () => {
  sim.faults.add({
    method: "POST",
    path: /\/status\/start$/,
    times: 1,
    kind: { type: "reset-before-read" },
  });
  await assert.rejects(
    call(sim, "POST", "/nodes/pve/lxc/101/status/start"),
    /socket hang up|ECONNRESET/,
  );
  const rec = lastFor("/nodes/pve/lxc/101/status/start");
  assert.equal(rec?.applied, false);
  assert.equal(rec?.mutating, true);
  assert.equal(rec?.upid, undefined);
  assert.equal(
    sim.state.tasks.all().filter((t) => t.type === "vzstart" && t.id === "101").length,
    0,
  );
});

test("faults – reset after read: the request is applied (a task starts), the answer never comes", async () => {
  sim.faults.add({
    method: "POST",
    path: "/nodes/pve/lxc/101/status/start",
    times: 1,
    kind: { type: "reset-after-read" },
  });
  await assert.rejects(
    call(sim, "POST", "/nodes/pve/lxc/101/status/start"),
    /socket hang up|ECONNRESET/,
  );
  const rec = lastFor("/nodes/pve/lxc/101/status/start");
  assert.equal(rec?.applied, true);
  assert.ok(rec?.upid);
  await sim.state.tasks.wait(rec.upid);
  assert.equal(sim.state.guest(101)?.status, "running");
});

test("faults – status answers: with a JSON message, or only in the status line", async () => {
  sim.faults.add({ path: "/nodes/pve/status", times: 1, kind: { type: "status", status: 503 } });
  const a = await call(sim, "GET", "/nodes/pve/status");
  assert.equal(a.status, 503);
  assert.equal(a.statusText, "Service Unavailable");
  assert.deepEqual(a.json, { data: null, message: "Service Unavailable" });
  sim.faults.add({
    path: "/nodes/pve/status",
    times: 1,
    kind: { type: "status", status: 596, statusText: "Connection timed out", bodyless: true },
  });
  const b = await call(sim, "GET", "/nodes/pve/status");
  assert.equal(b.status, 596);
  assert.equal(b.statusText, "Connection timed out");
  assert.equal(b.raw, "");
  for (const status of [500, 501, 595, 599]) {
    sim.faults.add({
      path: "/version",
      times: 1,
      kind: { type: "status", status, bodyless: true },
    });
    assert.equal((await call(sim, "GET", "/version")).status, status);
  }
  assert.equal((await call(sim, "GET", "/nodes/pve/status")).status, 200, "times ran out");
});

test("faults – data:null answers 200 without applying", async () => {
  sim.faults.add({ method: "POST", path: /snapshot$/, times: 1, kind: { type: "data-null" } });
  const r = await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "never" });
  assert.equal(r.status, 200);
  assert.equal(r.raw, '{"data":null}');
  assert.equal(lastFor("/nodes/pve/lxc/101/snapshot")?.applied, false);
});

test("faults – task outcomes: an error (state unchanged) and warnings (state changed)", async () => {
  sim.faults.add({
    method: "POST",
    path: /\/status\/stop$/,
    times: 1,
    kind: {
      type: "task-outcome",
      outcome: "error",
      message: "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout",
    },
  });
  const failed = await waitTask(
    sim,
    upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/stop")),
  );
  assert.equal(
    failed.exitstatus,
    "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout",
  );
  assert.equal(sim.state.guest(101)?.status, "running", "a failed stop leaves it running");
  sim.faults.add({
    method: "POST",
    path: /\/status\/stop$/,
    times: 1,
    kind: { type: "task-outcome", outcome: "warnings", warnings: 2 },
  });
  const upid = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/stop"));
  const warned = await waitTask(sim, upid);
  assert.equal(warned.exitstatus, "WARNINGS: 2");
  assert.equal(sim.state.guest(101)?.status, "stopped");
  const log = sim.state.tasks.get(upid)?.lines ?? [];
  assert.deepEqual(log.slice(-3), [
    "WARN: simulated warning 1",
    "WARN: simulated warning 2",
    "TASK WARNINGS: 2",
  ]);
});

test("faults – probability draws from the seeded PRNG, so the same seed hits the same requests", async () => {
  const pattern = async (): Promise<number[]> => {
    const s = await startSim({ quiet: true, seed: 7 });
    try {
      s.faults.add({
        path: "/version",
        probability: 0.5,
        kind: { type: "status", status: 503, bodyless: true },
      });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await call(s, "GET", "/version")).status);
      return out;
    } finally {
      await s.close();
    }
  };
  const a = await pattern();
  assert.deepEqual(await pattern(), a);
  assert.ok(a.includes(503) && a.includes(200), "both outcomes occur");
});

test("faults – remove() and clear() stop injection", async () => {
  const h = sim.faults.add({ path: "/version", kind: { type: "status", status: 500 } });
  assert.equal((await call(sim, "GET", "/version")).status, 500);
  h.remove();
  assert.equal((await call(sim, "GET", "/version")).status, 200);
  sim.faults.add({ path: "/version", kind: { type: "status", status: 500 } });
  sim.faults.clear();
  assert.equal((await call(sim, "GET", "/version")).status, 200);
  assert.throws(() => sim.faults.add({ kind: { type: "status", status: 42 } }), /status between/);
});
