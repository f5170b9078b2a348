// The host snapshot and its loop: a failing part is recorded and the other parts are still collected; cycles
// never overlap; stop() aborts a collection in progress but waits for a write in progress.
import { test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { HelperError } from "@felhom/helper-protocol";
import { PveHttpError } from "@felhom/pve-client";
import {
  HelperLink,
  SnapshotLoop,
  collectSnapshot,
  createHost,
  createLogger,
  summarize,
} from "../src/index.js";
import type { ApiBackend, HelperBackend } from "../src/index.js";

const silent = createLogger({
  level: "silent",
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

function fakeHost(fail: { api?: string[]; helper?: string[] } = {}, link?: HelperBackend) {
  const api = {
    nodeStatus: () =>
      fail.api?.includes("nodeStatus")
        ? Promise.reject(
            new PveHttpError("500 boom", {
              method: "GET",
              path: "/nodes/pve/status",
              status: 500,
              statusText: "boom",
              fieldErrors: {},
            }),
          )
        : Promise.resolve({
            cpu: 0.25,
            loadavg: [0.1, 0.2, 0.3],
            memory: { total: 100, used: 40 },
          }),
    listGuests: () =>
      Promise.resolve([
        { vmid: 100, kind: "lxc", status: "running", name: "web", mem: 1, maxmem: 2 },
        { vmid: 200, kind: "qemu", status: "stopped" },
      ]),
    storageList: () =>
      Promise.resolve([{ storage: "local", type: "dir", content: ["backup"], used_fraction: 0.5 }]),
  } as unknown as ApiBackend;
  const helper: HelperBackend = {
    call: <T>(fn: (c: never) => Promise<T>) =>
      fn({
        smart: (p: { device: string }) =>
          p.device === "/dev/sdb"
            ? Promise.reject(new HelperError("HELPER_NOT_FOUND", "hw.smart: No such object"))
            : Promise.resolve({
                device: p.device,
                health: "PASSED",
                exitStatus: 0,
                warnings: [],
                temperatureC: 30,
              }),
        sensors: () =>
          fail.helper?.includes("sensors")
            ? Promise.reject(
                new HelperError("HELPER_TOOL_FAILED", "hw.sensors: The privileged tool failed"),
              )
            : Promise.resolve({
                readings: [{ chip: "c", label: "l", kind: "temp", value: 50, unit: "°C" }],
              }),
      } as never),
  };
  return createHost({ api, helper: link ?? helper, node: "pve" });
}

test("snapshot – every part is collected; one disk's failure is recorded per disk", async () => {
  const s = await collectSnapshot(fakeHost(), {
    disks: ["/dev/sda", "/dev/sdb"],
    now: () => new Date(0),
  });
  assert.equal(s.takenAt, "1970-01-01T00:00:00.000Z");
  assert.ok(s.nodeStatus.ok && s.guests.ok && s.storage.ok && s.disks.ok && s.sensors.ok);
  assert.deepEqual(
    s.guests.data.map((g) => g.vmid),
    [100, 200],
  );
  assert.deepEqual(s.disks.data[1], {
    device: "/dev/sdb",
    error: { code: "HELPER_NOT_FOUND", message: "hw.smart: No such object" },
  });
  assert.equal(
    summarize(s),
    "node pve cpu 25.0% mem 40.0%; 2 guests (1 running); 1 storages, fullest local 50%; 2 disks (1 not PASSED); 1 sensor readings, max 50°C",
  );
});

test("snapshot – a failing part is recorded and does not stop the others", async () => {
  const s = await collectSnapshot(fakeHost({ api: ["nodeStatus"], helper: ["sensors"] }), {
    disks: [],
  });
  assert.equal(s.nodeStatus.ok, false);
  assert.equal(s.sensors.ok, false);
  assert.ok(s.guests.ok && s.storage.ok && s.disks.ok);
  if (!s.nodeStatus.ok) assert.equal(s.nodeStatus.error.code, "PVE_HTTP");
  assert.match(summarize(s), /; failed: node status \(PVE_HTTP\), sensors \(HELPER_TOOL_FAILED\)$/);
});

test("snapshot – with no helper at all the API parts are collected and the helper is reported failed", async () => {
  const link = new HelperLink("/nonexistent/felhom/helper.sock", {
    retry: { minMs: 1000, maxMs: 60_000 },
  });
  try {
    const s = await collectSnapshot(fakeHost({}, link), {
      disks: ["/dev/sda"],
      helperStatus: () => link.status(),
    });
    assert.ok(s.nodeStatus.ok && s.guests.ok && s.storage.ok);
    assert.equal(s.sensors.ok, false);
    assert.equal(s.disks.ok && s.disks.data[0]?.error?.code, "HELPER_CONNECT_FAILED");
    assert.equal(s.helper?.state, "failed");
    assert.equal(s.helper?.state === "failed" && s.helper.code, "HELPER_CONNECT_FAILED");
    assert.equal(s.helper?.state === "failed" && s.helper.failures, 1, "one attempt, then backoff");
    assert.match(
      summarize(s),
      /; failed: sensors \(HELPER_CONNECT_FAILED\), root helper \(HELPER_CONNECT_FAILED\)$/,
    );
  } finally {
    link.close();
  }
});

test("snapshot – an aborted collection throws (the daemon then writes nothing)", async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(collectSnapshot(fakeHost(), { disks: [], signal: ac.signal }));
});

/**
 * Advances node:test's mocked setTimeout 1 ms at a time, letting promises settle after each step (setImmediate is
 * not mocked), for `ms` or until `done()` holds.
 */
async function advance(
  t: TestContext,
  ms: number,
  done: () => boolean = () => false,
): Promise<void> {
  for (let i = 0; i < ms && !done(); i++) {
    t.mock.timers.tick(1);
    await new Promise((r) => setImmediate(r));
  }
}

test("snapshot loop – cycles never overlap, and stop() waits for a write in progress", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let running = 0;
  let maxRunning = 0;
  let writes = 0;
  let stopping: Promise<void> | undefined;
  let stopped = false;
  let stopResolvedBeforeWrite = false;
  const loop = new SnapshotLoop({
    intervalMs: 5,
    logger: silent,
    cycle: async (_signal, seq) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (seq === 3) {
        // SIGTERM arrives while this cycle writes: stop() must not resolve before the write is done.
        stopping = loop.stop();
        void stopping.then(() => {
          stopped = true;
          stopResolvedBeforeWrite = writes < 3;
        });
      }
      // A cycle longer than the interval (mocked time): the next must wait for it.
      await new Promise((r) => setTimeout(r, 20));
      writes++;
      running--;
      return { summary: "ok" };
    },
  });
  loop.start();
  await advance(t, 1_000, () => stopped);
  assert.ok(stopped, "stop() resolved once the third write was done");
  // Twenty intervals more: a loop that kept scheduling would start cycles here.
  await advance(t, 100);
  assert.equal(maxRunning, 1, "never two cycles at once");
  assert.equal(writes, 3, "the third write completed and no cycle started after stop()");
  assert.equal(stopResolvedBeforeWrite, false);
});

test("snapshot loop – stop() aborts a collection in progress, and a failed cycle does not end the loop", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  let seen = 0;
  let aborted = false;
  const loop = new SnapshotLoop({
    intervalMs: 5,
    logger: silent,
    cycle: (signal, seq) => {
      seen = seq;
      if (seq === 1) return Promise.reject(new Error("first cycle fails"));
      return new Promise((_, reject) =>
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        }),
      );
    },
  });
  loop.start();
  await advance(t, 1_000, () => seen >= 2);
  assert.equal(seen, 2, "the loop went on after the failed first cycle");
  await loop.stop();
  assert.ok(aborted);
  assert.equal(loop.cycles, 2);
});
