// Determinism: the same seed gives the same MACs, token secret, task pids and sample data; another seed differs;
// a manual clock fixes time stamps, so long tasks finish without waiting.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createManualClock, startSim } from "../src/index.js";
import { call, upidOf } from "./helpers.js";

async function snapshot(
  seed: number,
): Promise<{ token: string; net0: unknown; upid: string; resources: unknown }> {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const sim = await startSim({ quiet: true, seed, clock, earlyNoSuchTaskMs: 0 });
  try {
    const net0 = sim.state.guest(100)?.config.net0;
    const upid = upidOf(await call(sim, "POST", "/nodes/pve/lxc/101/status/start"));
    await clock.runAll();
    const resources = (await call(sim, "GET", "/cluster/resources")).data;
    return { token: sim.token.value, net0, upid, resources };
  } finally {
    await sim.close();
  }
}

test("determinism – the same seed and clock give identical secrets, MACs, UPIDs and figures", async () => {
  const a = await snapshot(42);
  const b = await snapshot(42);
  assert.deepEqual(a, b);
  const c = await snapshot(43);
  assert.notEqual(c.token, a.token);
  assert.notEqual(c.net0, a.net0);
  assert.notEqual(c.upid, a.upid);
});

test("determinism – a manual clock runs a 30-minute task in no real time", async () => {
  const clock = createManualClock();
  const sim = await startSim({
    quiet: true,
    clock,
    taskDurations: { vzdump: 30 * 60_000 },
    earlyNoSuchTaskMs: 0,
  });
  try {
    const upid = upidOf(
      await call(sim, "POST", "/nodes/pve/vzdump", { vmid: 100, storage: "local" }),
    );
    await clock.advance(29 * 60_000);
    assert.equal(sim.state.tasks.get(upid)?.status, "running");
    await clock.advance(2 * 60_000);
    assert.equal(sim.state.tasks.get(upid)?.exitstatus, "OK");
    const t = sim.state.tasks.get(upid);
    assert.ok(
      t && t.endtime !== undefined && t.endtime - t.starttime >= 30 * 60,
      "time stamps follow the clock",
    );
    // Stamped by the manual clock (31 minutes after its start), not by the real one.
    assert.ok(
      t.endtime !== undefined && t.endtime * 1000 <= clock.now(),
      "end stamped by the clock",
    );
  } finally {
    await sim.close();
  }
});
