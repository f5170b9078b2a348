// Learning task durations against the simulator: later starts of the same VM poll around the end the earlier
// ones measured, so they make fewer status requests, and still return soon after the task ended.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { captureLogger } from "./helpers.js";
import { simWithClient, type SimClient } from "./sim-helpers.js";

const START_MS = 1500;
let t: SimClient;
const cap = captureLogger();
before(async () => {
  t = await simWithClient(
    { taskDurations: { qmstart: START_MS, qmstop: 50 } },
    { logger: cap.logger },
  );
});
after(() => t.close());

async function startAndWait(vmid: number): Promise<{ polls: number; lagMs: number }> {
  const { client, sim } = t;
  const before = sim.requests.length;
  const upid = await client.start(sim.node, "qemu", vmid);
  assert.equal((await client.waitTask(upid, { timeoutMs: 20_000 })).status, "ok");
  const returnedAt = sim.clock.now();
  const startedAt = sim.requests.slice(before).find((r) => r.method === "POST")?.at;
  assert.ok(startedAt !== undefined, "the simulator recorded the start");
  const polls = sim.requests
    .slice(before)
    .filter(
      (r) =>
        r.method === "GET" &&
        decodeURIComponent(r.path) === `/nodes/${sim.node}/tasks/${upid.raw}/status`,
    ).length;
  await client.run(client.stop(sim.node, "qemu", vmid), { timeoutMs: 20_000 });
  return { polls, lagMs: returnedAt - (startedAt + START_MS) };
}

test("sim task history – later starts of the same VM make fewer status requests, lag still bounded", async (ctx) => {
  const vm = (await t.client.qemuList(t.sim.node)).find((g) => g.status === "stopped");
  assert.ok(vm, "a stopped VM in the sample data");
  const first = await startAndWait(vm.vmid);
  const second = await startAndWait(vm.vmid);
  const third = await startAndWait(vm.vmid);
  ctx.diagnostic(`polls and lag: ${JSON.stringify({ first, second, third })}`);
  assert.ok(first.polls >= 8, `the plain schedule polls often for ${START_MS} ms: ${first.polls}`);
  assert.ok(second.polls < first.polls, `second ${second.polls} polls, first ${first.polls}`);
  // a wide first gap gives a short estimate (a few more polls the second time); by the third it is narrow
  assert.ok(third.polls <= 7, `around the learned end: ${third.polls} polls`);
  for (const w of [first, second, third])
    assert.ok(w.lagMs > -50 && w.lagMs < 1000, `lag ${w.lagMs} ms`);
  const sources = cap.lines
    .map((l) => JSON.parse(l) as { msg?: string; source?: string; upid?: string })
    .filter((l) => l.msg === "pve task wait estimate" && l.upid?.includes(":qmstart:"))
    .map((l) => l.source);
  assert.deepEqual(sources, ["none", "guest", "guest"]);
});
