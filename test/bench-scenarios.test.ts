// Smoke runs of every bench scenario with tiny counts (the compiled simulator, helper and agent, as the bench
// runs them): the figures must be positive and finite, the request counts what was asked, and the rows valid,
// so that a broken scenario fails here instead of printing a wrong number. No timing is asserted.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { describeMachine, Results, type Row } from "../bench/lib/results.js";
import type { Scenario, ScenarioResult } from "../bench/lib/scenario.js";
import { footprint, footprintSettings } from "../bench/scenarios/footprint.js";
import { helperRoundTrip, helperSettings } from "../bench/scenarios/helper-round-trip.js";
import { largeResponse, largeSettings, LARGE_GUESTS } from "../bench/scenarios/large-response.js";
import { GUESTS, readSettings, readThroughput } from "../bench/scenarios/read-throughput.js";
import { taskWait, waitSettings } from "../bench/scenarios/task-wait.js";

function proxmoxerMissing(): string | undefined {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import proxmoxer, requests"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "Debian's python3-proxmoxer (and python3-requests) is not installed";
  }
}

async function smoke<R>(scenario: Scenario<R>): Promise<ScenarioResult<R>> {
  const tmpDir = await mkdtemp(join(tmpdir(), `bench-smoke-${scenario.id}-`));
  try {
    return await scenario.run({ mode: "smoke", tmpDir, log: () => undefined });
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** Every row is valid in a results document, with a positive figure unless it is a difference. */
function checkRows(rows: Row[], t: TestContext): void {
  assert.ok(rows.length > 0);
  Results.parse({
    machine: describeMachine(),
    date: new Date().toISOString(),
    mode: "smoke",
    scenarios: rows,
  });
  for (const r of rows) {
    assert.ok(Number.isFinite(r.value), `${r.metric}: ${r.value}`);
    // a difference may be anything; a count of zero must say why in its note
    if (!/added/.test(r.metric) && r.note === undefined)
      assert.ok(r.value > 0, `${r.name} / ${r.metric} is ${r.value}`);
    if (r.target !== null) assert.equal(typeof r.met, "boolean", r.metric);
  }
  t.diagnostic(`${rows.length} rows`);
}

const positive = (xs: number[], what: string): void => {
  assert.ok(xs.length > 0, `no ${what}`);
  for (const x of xs) assert.ok(Number.isFinite(x) && x > 0, `${what}: ${x}`);
};

test("bench read – every client read every endpoint, the simulator saw each GET once", async (t) => {
  const skip = proxmoxerMissing();
  if (skip) return t.skip(skip);
  const { rows, raw } = await smoke(readThroughput);
  const s = readSettings.smoke;
  assert.equal(
    raw.series.length,
    2 * (3 * 2 + 2),
    "3 Node clients × 2 concurrencies, the wide pool and proxmoxer, per endpoint",
  );
  for (const x of raw.series) {
    assert.equal(x.count, Math.floor(s.count / s.rounds) * s.rounds, `${x.client} ${x.endpoint}`);
    assert.equal(x.received, x.asked, `${x.client} ${x.endpoint} ×${x.inFlight}`);
    assert.ok(x.items >= x.count * (x.endpoint === "resources" ? GUESTS : 1));
    positive([x.wallMs, x.cpuUs], `${x.client} time`);
  }
  checkRows(rows, t);
  assert.equal(
    rows.filter((r) => r.target !== null).length,
    2 * (2 * 3 + 1),
    "targets per endpoint",
  );
});

test("bench large – the client and JSON.parse read the same 10,000-guest list", async (t) => {
  const { rows, raw } = await smoke(largeResponse);
  assert.ok(raw.guests >= LARGE_GUESTS && raw.items >= raw.guests);
  assert.ok(raw.bytes > LARGE_GUESTS * 100);
  assert.equal(raw.parseMs.length, largeSettings.smoke.repeats);
  positive([...raw.parseMs, ...raw.clientMs], "parse times");
  checkRows(rows, t);
});

test("bench tasks – each wait returned after its task ended, polls counted by the simulator", async (t) => {
  const skip = proxmoxerMissing();
  if (skip) return t.skip(skip);
  const { rows, raw } = await smoke(taskWait);
  const s = waitSettings.smoke;
  assert.equal(
    raw.waits.length,
    4 * s.tiers.reduce((n, t) => n + t.runs, 0),
    "three pve-client series (a fresh process per wait) and proxmoxer",
  );
  for (const w of raw.waits) {
    assert.ok(w.returnedMs >= w.endMs - 5, `${w.client} returned before the end`);
    assert.ok(w.lagMs < 10_000);
    assert.ok(w.statusRequests >= 1);
    // the default series reads the task list once (unless its wait ended before the read was sent)
    assert.ok(w.listRequests <= (w.client === "pve-client" ? 1 : 0), `${w.client} task-list reads`);
    if (w.listRequests === 1) assert.ok(w.listBytes !== undefined && w.listBytes > 0);
  }
  assert.equal(new Set(raw.waits.map((w) => w.upid)).size, raw.waits.length, "one task per wait");
  checkRows(rows, t);
});

test("bench helper – every call was served and audited; cold start runs or says why not", async (t) => {
  const { rows, raw } = await smoke(helperRoundTrip);
  const s = helperSettings.smoke;
  assert.equal(raw.served, s.calls + s.warmup);
  assert.equal(raw.helperMs.length, s.calls);
  assert.ok(raw.readings > 0);
  positive(
    [...raw.helperMs, ...raw.directMs, raw.rssIdleBytes, raw.rssAfterBytes],
    "helper figures",
  );
  if (raw.coldStartSkipped) t.diagnostic(`cold start skipped: ${raw.coldStartSkipped}`);
  else {
    assert.equal(raw.coldStarts.length, s.coldStarts);
    positive(
      raw.coldStarts.map((c) => c.ms),
      "cold starts",
    );
    if (raw.mainFailure) t.diagnostic(`main.js: ${raw.mainFailure}`);
  }
  checkRows(rows, t);
});

test("bench footprint – the daemon ran its cycles cleanly and its RSS was sampled each time", async (t) => {
  const { rows, raw } = await smoke(footprint);
  assert.equal(raw.rssByCycle.length, footprintSettings.smoke.cycles);
  assert.equal(raw.failedCycles, 0);
  positive([...raw.rssByCycle, raw.privateAfter, raw.floorRss], "memory figures");
  checkRows(rows, t);
});
