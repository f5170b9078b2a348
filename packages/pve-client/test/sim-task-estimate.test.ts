// A fresh Client per wait, as the CLI runs, against the simulator on a manual clock: from the third start of
// the same VM on, the task list's earlier runs put the polls around the end (few status requests, lag bounded).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, startSim, type Sim } from "@felhom/pve-sim";
import { Client, waitTask, type Upid, type WaitClock } from "@felhom/pve-client";
import { captureLogger } from "./helpers.js";

const START_MS = 5000;
const clock = createManualClock();
/** waitTask's time is the simulator's: sleeping advances it, so the tasks end exactly on schedule. */
const simTime: WaitClock = { now: () => clock.now(), sleep: (ms) => clock.advance(ms) };
let sim: Sim;
before(async () => {
  sim = await startSim({
    quiet: true,
    validateResponses: true,
    clock,
    taskDurations: { qmstart: START_MS, qmstop: 50 },
  });
});
after(() => sim.close());

interface Start {
  upid: Upid;
  polls: number;
  list: number;
  lagMs: number;
  source: unknown;
}

/** One CLI-like process: a new Client that starts the task and waits for it, then is closed. */
async function freshWait(start: (c: Client) => Promise<Upid>): Promise<Start> {
  const cap = captureLogger();
  const client = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { fingerprint256: sim.fingerprint256 },
    logger: cap.logger,
  });
  try {
    const before = sim.requests.length;
    const upid = await start(client);
    const startedAt = clock.now();
    const out = await waitTask(client, upid, { timeoutMs: 60_000 }, cap.logger, () => 0.5, simTime);
    assert.equal(out.status, "ok");
    const seen = sim.requests.slice(before).map((r) => decodeURIComponent(r.path));
    const estimate = cap.lines
      .map((l) => JSON.parse(l) as { msg?: string; source?: string })
      .find((l) => l.msg === "pve task wait estimate");
    return {
      upid,
      polls: seen.filter((p) => p.endsWith(`${upid.raw}/status`)).length,
      list: seen.filter((p) => p === `/nodes/${sim.node}/tasks`).length,
      lagMs: clock.now() - (startedAt + (upid.type === "qmstart" ? START_MS : 50)),
      source: estimate?.source,
    };
  } finally {
    await client.close();
  }
}

test("sim task estimate – a fresh client's later starts of a VM poll around the end its task list shows", async (ctx) => {
  const probe = new Client({
    baseUrl: sim.url,
    token: sim.token.value,
    tls: { fingerprint256: sim.fingerprint256 },
  });
  const vm = (await probe.qemuList(sim.node)).find((g) => g.status === "stopped");
  await probe.close();
  assert.ok(vm, "a stopped VM in the sample data");
  const starts: Start[] = [];
  for (let i = 0; i < 4; i++) {
    starts.push(await freshWait((c) => c.start(sim.node, "qemu", vm.vmid)));
    await freshWait((c) => c.stop(sim.node, "qemu", vm.vmid));
  }
  ctx.diagnostic(
    JSON.stringify(starts.map(({ polls, lagMs, source }) => ({ polls, lagMs, source }))),
  );
  assert.deepEqual(
    starts.map((s) => s.source),
    ["none", "none", "tasks", "tasks"],
    "two earlier runs are needed",
  );
  assert.deepEqual(
    starts.map((s) => s.list),
    [1, 1, 1, 1],
    "one task-list read per wait",
  );
  const [first, , third, fourth] = starts as [Start, Start, Start, Start];
  assert.ok(first.polls >= 15, `the plain schedule polls often for 5 s: ${first.polls}`);
  for (const s of [third, fourth]) {
    assert.ok(s.polls < 6, `fewer than a fixed 1 s poll's 6: ${s.polls}`);
    assert.ok(s.lagMs >= 0 && s.lagMs <= 100, `lag ${s.lagMs} ms`);
  }
});
