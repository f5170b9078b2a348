// Task lifecycle with an injectable clock: PVE's UPID format, token ownership, the early "no such task" window,
// a log that grows while running, log paging (start/limit/total, limit=0), the task list, and DELETE.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createManualClock,
  decodeUpid,
  startSim,
  type ManualClock,
  type Sim,
} from "../src/index.js";
import { call, enc, upidOf } from "./helpers.js";

let sim: Sim;
let clock: ManualClock;
before(async () => {
  clock = createManualClock();
  sim = await startSim({
    quiet: true,
    clock,
    validateResponses: true,
    earlyNoSuchTaskMs: 50,
    taskDurations: { vzdump: 10_000 },
  });
});
after(() => sim.close());

const UPID_RE =
  /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-F]{8}):([0-9A-F]{8,9}):([0-9A-F]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;
const status = (upid: string) => call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/status`);

test("tasks – UPID in PVE's exact format, starttime from the clock, the token in the user field", async () => {
  const upid = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
  assert.match(upid, UPID_RE);
  const f = decodeUpid(upid);
  assert.ok(f);
  assert.equal(f.node, "pve");
  assert.equal(f.type, "vzstart");
  assert.equal(f.id, "101");
  assert.equal(f.user, "root@pam!pve-sim");
  assert.equal(f.starttime, Math.floor(clock.now() / 1000));
  await clock.advance(1000);
});

test("tasks – a new UPID answers 'no such task' until the early window has passed", async () => {
  const upid = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/stop"));
  const early = await status(upid);
  assert.equal(early.status, 400);
  assert.deepEqual(early.json?.errors, { upid: "no such task" });
  const log = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`);
  assert.deepEqual(log.data, [{ n: 1, t: "unable to open file - No such file or directory" }]);
  await clock.advance(50);
  const now = await status(upid);
  assert.equal(now.status, 200);
  const d = now.data as Record<string, unknown>;
  assert.equal(d.status, "running");
  assert.equal(d.exitstatus, undefined, "no exitstatus while running");
  assert.equal(d.user, "root@pam");
  assert.equal(d.tokenid, "pve-sim");
  await clock.advance(1000);
  const done = (await status(upid)).data as Record<string, unknown>;
  assert.equal(done.status, "stopped");
  assert.equal(done.exitstatus, "OK");
  assert.deepEqual(Object.keys(done).sort(), [
    "exitstatus",
    "id",
    "node",
    "pid",
    "pstart",
    "starttime",
    "status",
    "tokenid",
    "type",
    "upid",
    "user",
  ]);
});

test("tasks – the log grows while the task runs and ends with the TASK line", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 100,
      mode: "snapshot",
      storage: "local",
      compress: "zstd",
    }),
  );
  await clock.advance(100);
  const log = (): Promise<Array<{ n: number; t: string }>> =>
    call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`, { limit: 0 }).then(
      (r) => r.data as Array<{ n: number; t: string }>,
    );
  const first = await log();
  assert.ok(first.length >= 3, "started lines present");
  assert.ok(!first.some((l) => l.t.startsWith("TASK ")));
  await clock.advance(4000);
  const middle = await log();
  assert.ok(middle.length > first.length, "more lines later");
  await clock.advance(10_000);
  const end = await log();
  assert.equal(end.at(-1)?.t, "TASK OK");
  assert.deepEqual(
    end.map((l) => l.n),
    end.map((_, i) => i + 1),
    "n counts from 1",
  );
});

test("tasks – log paging: start skips, limit caps (default 50), limit=0 reads all, total counts all lines", async () => {
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 100, mode: "stop", storage: "local" }),
  );
  await clock.advance(20_000);
  const full = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`, { limit: 0 });
  const lines = full.data as Array<{ n: number; t: string }>;
  assert.equal(full.json?.total, lines.length);
  const page = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`, { start: 3, limit: 4 });
  assert.deepEqual(page.data, lines.slice(3, 7));
  assert.equal(page.json?.total, lines.length);
  const beyond = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`, { start: 1000 });
  assert.deepEqual(beyond.data, []);
  assert.equal(beyond.json?.total, lines.length);
  const def = await call(sim, "GET", `/nodes/pve/tasks/${enc(upid)}/log`);
  assert.deepEqual(def.data, lines.slice(0, 50));
});

test("tasks – DELETE stops a running task: exitstatus 'received interrupt'", async () => {
  sim.state.tasks.durations.set("vzsnapshot", 60_000);
  const upid = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "stopme" }),
  );
  await clock.advance(1000);
  const del = await call(sim, "DELETE", `/nodes/pve/tasks/${enc(upid)}`);
  assert.equal(del.status, 200);
  assert.equal(del.data, null);
  const d = (await status(upid)).data as Record<string, unknown>;
  assert.equal(d.status, "stopped");
  assert.equal(d.exitstatus, "received interrupt");
  const g = sim.state.guest(101);
  assert.equal(g?.snapshots.has("stopme"), false, "the half-made snapshot is cleaned up");
  assert.equal(g?.config.lock, undefined);
  const again = await call(sim, "DELETE", `/nodes/pve/tasks/${enc(upid)}`);
  assert.equal(again.status, 200, "stopping a stopped task is a no-op");
});

test("tasks – list: finished tasks newest first with total; running ones only with source=active|all", async () => {
  sim.state.tasks.durations.set("vzstart", 30_000);
  const running = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
  await clock.advance(100);
  const archive = await call(sim, "GET", "/nodes/pve/tasks");
  const items = archive.data as Array<Record<string, unknown>>;
  assert.ok(!items.some((t) => t.upid === running));
  assert.ok(Number(archive.json?.total) >= items.length);
  const ends = items.map((t) => Number(t.endtime));
  assert.deepEqual(
    ends,
    [...ends].sort((a, b) => b - a),
  );
  const active = await call(sim, "GET", "/nodes/pve/tasks", { source: "active" });
  assert.deepEqual(
    (active.data as Array<Record<string, unknown>>).map((t) => [t.upid, t.status]),
    [[running, "RUNNING"]],
  );
  const page = await call(sim, "GET", "/nodes/pve/tasks", { start: 1, limit: 2 });
  assert.deepEqual(page.data, items.slice(1, 3));
  const errs = await call(sim, "GET", "/nodes/pve/tasks", { errors: 1 });
  assert.ok((errs.data as Array<{ status: string }>).every((t) => t.status !== "OK"));
  const vz = await call(sim, "GET", "/nodes/pve/tasks", { typefilter: "vzdump", vmid: 100 });
  assert.ok(
    (vz.data as Array<{ type: string; id: string }>).every(
      (t) => t.type === "vzdump" && t.id === "100",
    ),
  );
  await clock.advance(31_000);
});

test("tasks – a token sees only its own tasks unless it has Sys.Audit on the node", async () => {
  const t = sim.addToken({
    id: "eve@pve!own",
    acl: [{ path: "/vms/101", privs: ["VM.PowerMgmt", "VM.Audit"] }],
  });
  sim.state.tasks.durations.set("vzstop", 100);
  const mine = upidOf(
    await call(sim, "POST", "/nodes/pve/lxc/101/status/stop", {}, { token: t.value }),
  );
  await clock.advance(500);
  const list = await call(sim, "GET", "/nodes/pve/tasks", undefined, { token: t.value });
  assert.deepEqual(
    (list.data as Array<{ upid: string }>).map((x) => x.upid),
    [mine],
  );
  const other = sim.state.tasks.archive[0]?.upid ?? "";
  const denied = await call(sim, "GET", `/nodes/pve/tasks/${enc(other)}/status`, undefined, {
    token: t.value,
  });
  assert.equal(denied.status, 403);
  assert.equal(denied.statusText, "Permission check failed (/nodes/pve, Sys.Audit)");
});
