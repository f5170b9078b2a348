// Fault injection on the simulator: resets before and after the request was read, 5xx and 59x, errors
// carried only in the status line, data:null and latency — GETs are retried, and no mutating request
// ever reaches the server twice.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { PveError } from "@felhom/pve-client";
import { SECRET, captureLogger, until } from "./helpers.js";
import { assertMutationsSentOnce, simWithClient, type SimClient } from "./sim-helpers.js";

let t: SimClient;
const cap = captureLogger();
before(async () => {
  t = await simWithClient(
    { taskDurationMs: 40 },
    { logger: cap.logger, timeouts: { requestMs: 400 } },
  );
});
after(async () => {
  await t.close();
  assertMutationsSentOnce(t.sim, cap.lines);
});

async function failure(p: Promise<unknown>): Promise<PveError & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as PveError & Record<string, unknown>;
  }
  assert.fail("expected an error");
}

const count = (method: string, path: string) =>
  t.sim.requests.filter((r) => r.method === method && r.path === path).length;

test("faults – GET: a reset before or after the read is retried", async () => {
  const { client, sim } = t;
  sim.faults.add({
    method: "GET",
    path: "/version",
    times: 1,
    kind: { type: "reset-before-read" },
  });
  sim.faults.add({
    method: "GET",
    path: `/nodes/${sim.node}/storage`,
    times: 1,
    kind: { type: "reset-after-read" },
  });
  assert.ok((await client.version()).version);
  assert.ok((await client.storageList(sim.node)).length > 0);
});

test("faults – POST reset before the read: not re-sent, nothing applied", async () => {
  const { client, sim } = t;
  const path = `/nodes/${sim.node}/lxc/101/status/start`;
  sim.faults.add({ method: "POST", path, times: 1, kind: { type: "reset-before-read" } });
  const e = await failure(client.start(sim.node, "lxc", 101));
  assert.equal(e.code, "PVE_TRANSPORT");
  assert.equal(e["requestSent"], true);
  assert.match(e.message, /not retried: the request may have reached the server/);
  assert.equal(count("POST", path), 1);
  assert.equal((await client.guestStatus(sim.node, "lxc", 101)).status, "stopped");
});

test("faults – POST reset after the read: applied once, never re-sent", async () => {
  const { client, sim } = t;
  const path = `/nodes/${sim.node}/lxc/100/snapshot`;
  sim.faults.add({ method: "POST", path, times: 1, kind: { type: "reset-after-read" } });
  const e = await failure(client.snapshot(sim.node, "lxc", 100, "after_reset"));
  assert.equal(e.code, "PVE_TRANSPORT");
  assert.equal(e["requestSent"], true);
  const recorded = sim.requests.filter((r) => r.method === "POST" && r.path === path);
  assert.equal(recorded.length, 1);
  assert.equal(
    recorded[0]?.applied,
    true,
    "the simulator did apply it: a resend would have duplicated it",
  );
});

test("faults – 5xx and 59x: GETs retried on 502/503/504/595/596/599, not on 500; POSTs never", async () => {
  const { client, sim } = t;
  const v = "/version";
  const n0 = count("GET", v);
  for (const status of [502, 503, 504, 595, 596, 599]) {
    sim.faults.add({ method: "GET", path: v, times: 1, kind: { type: "status", status } });
    assert.ok((await client.version()).version, String(status));
  }
  assert.equal(count("GET", v) - n0, 12);
  sim.faults.add({
    method: "GET",
    path: v,
    times: 1,
    kind: { type: "status", status: 500, statusText: "internal" },
  });
  assert.equal((await failure(client.version())).code, "PVE_HTTP");
  const path = `/nodes/${sim.node}/lxc/101/status/start`;
  const before = count("POST", path);
  sim.faults.add({
    method: "POST",
    path,
    times: 1,
    kind: { type: "status", status: 596, statusText: "Broken pipe" },
  });
  const e = await failure(client.start(sim.node, "lxc", 101));
  assert.equal(e.code, "PVE_HTTP");
  assert.equal(e["status"], 596);
  assert.match(e.message, /Broken pipe/);
  assert.match(e.message, /596 TLS, send or header error/);
  assert.equal(count("POST", path) - before, 1);
});

test("faults – an error only in the status line still gives its message", async () => {
  const { client, sim } = t;
  sim.faults.add({
    method: "GET",
    path: `/nodes/${sim.node}/status`,
    times: 1,
    kind: {
      type: "status",
      status: 500,
      statusText: "only the reason phrase knows",
      bodyless: true,
    },
  });
  const e = await failure(client.nodeStatus(sim.node));
  assert.equal(e.code, "PVE_HTTP");
  assert.match(e.message, /500 only the reason phrase knows$/);
});

test("faults – data:null is a shape error for list reads and for task starts (not re-sent)", async () => {
  const { client, sim } = t;
  sim.faults.add({
    method: "GET",
    path: `/nodes/${sim.node}/lxc`,
    times: 1,
    kind: { type: "data-null" },
  });
  const broken = await failure(client.lxcList(sim.node));
  assert.equal(broken.code, "PVE_RESPONSE_SHAPE");
  assert.match(broken.message, /expected array, got null/);
  assert.ok((await client.lxcList(sim.node)).length > 0, "the next read lists the guests");
  const path = `/nodes/${sim.node}/lxc/100/snapshot/after_reset`;
  sim.faults.add({ method: "DELETE", path, times: 1, kind: { type: "data-null" } });
  const e = await failure(client.deleteSnapshot(sim.node, "lxc", 100, "after_reset"));
  assert.equal(e.code, "PVE_RESPONSE_SHAPE");
  assert.equal(count("DELETE", path), 1);
});

test("faults – latency beyond the request timeout: GET retried, POST reported, not re-sent", async () => {
  const { client, sim } = t;
  sim.faults.add({ method: "GET", path: "/version", times: 1, kind: { type: "latency", ms: 600 } });
  assert.ok((await client.version()).version);
  const path = `/nodes/${sim.node}/qemu/201/status/start`;
  sim.faults.add({ method: "POST", path, times: 1, kind: { type: "latency", ms: 600 } });
  const e = await failure(client.start(sim.node, "qemu", 201));
  assert.equal(e.code, "PVE_REQUEST_TIMEOUT");
  assert.equal(e["requestSent"], true);
  // The delayed POST reaches its handler once its latency has passed; by then any re-send would be recorded.
  await until(() => sim.requests.some((r) => r.method === "POST" && r.path === path && r.applied));
  assert.equal(count("POST", path), 1);
});

test("faults – waitTask keeps going through failures of the status call", async () => {
  const { client, sim } = t;
  const upid = await client.start(sim.node, "lxc", 101);
  sim.faults.add({
    method: "GET",
    path: /\/tasks\/.*\/status$/,
    times: 2,
    kind: { type: "status", status: 503 },
  });
  sim.faults.add({
    method: "GET",
    path: /\/tasks\/.*\/status$/,
    times: 2,
    kind: { type: "reset-after-read" },
  });
  sim.faults.add({
    method: "GET",
    path: /\/tasks\/.*\/status$/,
    times: 3,
    kind: { type: "status", status: 599 },
  });
  assert.equal((await client.waitTask(upid, { timeoutMs: 10_000 })).status, "ok");
  assert.equal((await client.guestStatus(sim.node, "lxc", 101)).status, "running");
});

test("faults – the whole session's trace log holds neither the secret nor the header", () => {
  const all = cap.lines.join("\n");
  assert.ok(cap.lines.length > 20);
  assert.ok(!all.includes(t.sim.token.secret));
  assert.ok(!all.includes(SECRET));
  assert.ok(!/PVEAPIToken/i.test(all));
});
