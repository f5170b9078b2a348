// What the helper refuses and how it bounds work: unknown methods, extra keys and every rejected shape run
// nothing; in-flight, request and tool deadlines, output caps, missing tools, idle and connection limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { ChildProcess, execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { join } from "node:path";
import { eventsIn, HelperErrorCode, type HelperError } from "@felhom/helper-protocol";
import { whenClosed, rawConnection } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";

const GOOD = {
  "golden.createContainer": {
    vmid: 9000,
    ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
    storage: "local-lvm",
    hostname: "golden",
    memory: 1024,
    cores: 2,
    rootfsGiB: 8,
    bridge: "vmbr0",
  },
  "usb.mount": { uuid: "0f3e2a1b-1c2d-4e5f-8a9b-0123456789ab", name: "backup", fstype: "ext4" },
  "usb.unmount": { name: "backup" },
  "hw.smart": { device: "/dev/sda" },
  "hw.sensors": {},
  "helper.hello": {},
} as const;

/** Requests that must be refused as InvalidParams: option injection, paths, ranges, types, extra keys. */
const BAD: ReadonlyArray<readonly [keyof typeof GOOD, Record<string, unknown>]> = [
  ...[99, 1_000_000_000, 9000.5, "9000", -1, null].map(
    (vmid) => ["golden.createContainer", { ...GOOD["golden.createContainer"], vmid }] as const,
  ),
  ...[
    "-",
    "--force",
    "/var/lib/vz/template/cache/x.tar.zst",
    "local:vztmpl/../../etc/shadow.tar.gz",
    "local:backup/vzdump-lxc-100.tar.zst",
    "local:vztmpl/x.tar.gz --ssh-public-keys /root/.ssh/id_rsa",
    "local:vztmpl/x.tar",
  ].map(
    (ostemplate) =>
      ["golden.createContainer", { ...GOOD["golden.createContainer"], ostemplate }] as const,
  ),
  ...["-storage", "local lvm", "1local", "a,b", ""].map(
    (storage) =>
      ["golden.createContainer", { ...GOOD["golden.createContainer"], storage }] as const,
  ),
  ...["-h", "a_b", "golden.", "x".repeat(64), "host\nname"].map(
    (hostname) =>
      ["golden.createContainer", { ...GOOD["golden.createContainer"], hostname }] as const,
  ),
  ...["eth0", "vmbr0,firewall=1", "vmbr01", "-vmbr0"].map(
    (bridge) => ["golden.createContainer", { ...GOOD["golden.createContainer"], bridge }] as const,
  ),
  ["golden.createContainer", { ...GOOD["golden.createContainer"], features: "mount=nfs" }],
  ["golden.createContainer", { ...GOOD["golden.createContainer"], force: 1 }],
  ["golden.createContainer", { ...GOOD["golden.createContainer"], memory: 8 }],
  ["golden.createContainer", { ...GOOD["golden.createContainer"], cores: 0 }],
  ...["0F3E2A1B-1C2D-4E5F-8A9B-0123456789AB", "-0f3e2a1b", "../../sda1", "1234-abcd", ""].map(
    (uuid) => ["usb.mount", { ...GOOD["usb.mount"], uuid }] as const,
  ),
  ...["../etc", "-x", "Backup", "a/b", "a".repeat(33), "", "x,nosuid"].map(
    (name) => ["usb.mount", { ...GOOD["usb.mount"], name }] as const,
  ),
  ...["ext3", "nfs", "ext4,x-systemd.makefs", "EXT4"].map(
    (fstype) => ["usb.mount", { ...GOOD["usb.mount"], fstype }] as const,
  ),
  ["usb.mount", { ...GOOD["usb.mount"], options: "exec" }],
  ["usb.unmount", { name: "../../etc/systemd/system/ssh" }],
  ["usb.unmount", { name: "backup", force: true }],
  ...[
    "/dev/sda1",
    "/dev/vda",
    "/dev/../dev/sda",
    "/dev/sda ",
    "sda",
    "-d",
    "/dev/dm-0",
    "/dev/zd0",
  ].map((device) => ["hw.smart", { device }] as const),
  ["hw.smart", { device: "/dev/sda", extra: 1 }],
  ["hw.sensors", { chip: "coretemp" }],
  ["helper.hello", { x: 1 }],
];

test("contract – unknown methods, extra keys and every rejected shape are answered with a code and run nothing", async () => {
  const h = await startTestHelper();
  try {
    const raw = rawConnection(h.socket);
    for (const method of [
      "usb.format",
      "golden.restore",
      "pct.set",
      "helper.shell",
      "__proto__",
      "hw.smart ",
    ]) {
      await assert.rejects(
        raw.conn.sendRequest(method, GOOD["hw.smart"]),
        (e: { code: number }) => {
          assert.equal(e.code, HelperErrorCode.METHOD_NOT_FOUND, method);
          return true;
        },
      );
    }
    for (const [method, params] of BAD) {
      await assert.rejects(
        raw.conn.sendRequest(method, params),
        (e: { code: number; message: string }) => {
          assert.equal(
            e.code,
            HelperErrorCode.INVALID_PARAMS,
            `${method} ${JSON.stringify(params)}`,
          );
          assert.equal(e.message, "Invalid params");
          return true;
        },
      );
    }
    raw.close();
    assert.deepEqual(await h.fake.calls(), []);
    await h.close(); // writes the summaries of repeated (coalesced) audit lines
    const denied = h.audit.filter((a) => a.decision === "denied" && a.method !== "(connect)");
    const count = denied.reduce((n, a) => n + eventsIn(a), 0);
    assert.equal(count, 6 + BAD.length);
    assert.ok(denied.every((a) => a.params === undefined && a.exec === undefined));
  } finally {
    await h.close();
  }
});

test("limits – beyond maxInFlight requests on one connection the answer is Busy", async () => {
  const h = await startTestHelper({
    rules: { sensors: [{ stdout: "{}", delayMs: 300 }] },
    limits: { maxInFlight: 2 },
  });
  try {
    const client = await h.connect();
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => client.sensors()));
    client.close();
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "fulfilled", "rejected", "rejected"],
    );
    for (const r of results.slice(2))
      assert.equal(((r as PromiseRejectedResult).reason as HelperError).code, "HELPER_BUSY");
    assert.equal((await h.fake.calls()).length, 2);
  } finally {
    await h.close();
  }
});

test("limits – a request past its deadline is Timeout; a hung tool is killed at the tool deadline", async (t) => {
  const h = await startTestHelper({ limits: { requestTimeoutMs: 200, toolTimeoutMs: 1_000 } });
  try {
    // A hung sensors that tells its pid through a FIFO (reading it is the real "the tool has started" event),
    // then execs a 60 s sleep (exec keeps the pid).
    const pidFifo = join(h.root, "sensors.pid");
    await promisify(execFile)("/usr/bin/mkfifo", [pidFifo]);
    await writeFile(h.fake.tools.sensors, `#!/bin/sh\necho $$ > ${pidFifo}\nexec /bin/sleep 60\n`);
    const client = await h.connect();
    // The helper's deadlines are its setTimeouts: on the manual clock they fire exactly when it is moved past
    // them, and every kill the helper sends goes through ChildProcess#kill.
    const kills = t.mock.method(ChildProcess.prototype, "kill");
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const answer = client.sensors();
    answer.catch(() => undefined);
    const pid = Number(await readFile(pidFifo, "utf8")); // both deadlines are set before the tool runs
    t.mock.timers.tick(200);
    await assert.rejects(answer, (e: HelperError) => e.code === "HELPER_TIMEOUT");
    // The answer (and its audit line) leaves at the request deadline, while the tool still runs.
    const audit = h.audit.find((a) => a.method === "hw.sensors");
    assert.equal(audit?.decision, "failed");
    assert.equal(audit?.code, HelperErrorCode.TIMEOUT);
    const [exec] = audit?.exec as Array<{ argv: string[]; exitCode?: number }>;
    assert.deepEqual(exec?.argv, [h.fake.tools.sensors, "-j"]);
    assert.equal(exec?.exitCode, undefined);
    // Not before the tool deadline: 1 ms short of it the helper has sent no signal at all.
    t.mock.timers.tick(799);
    assert.equal(kills.mock.callCount(), 0, "the tool runs until its own deadline");
    assert.doesNotThrow(() => process.kill(pid, 0));
    // At it, exactly one SIGKILL, to that tool.
    t.mock.timers.tick(1);
    assert.equal(kills.mock.callCount(), 1);
    assert.deepEqual(kills.mock.calls[0]?.arguments, ["SIGKILL"]);
    assert.equal((kills.mock.calls[0]?.this as ChildProcess).pid, pid);
    t.mock.timers.reset();
    // Its end is audited on its own line once the helper has reaped it (wait for that event, no budget).
    const after = (): Record<string, unknown> | undefined =>
      h.audit.find((a) => a.method === "(after timeout)");
    while (after() === undefined) await new Promise((r) => setTimeout(r, 10).unref());
    assert.equal(after()?.decision, "failed");
    assert.equal((after()?.exec as Array<{ exitCode: number | null }>)[0]?.exitCode, null);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the hung tool was killed");
    assert.equal((await client.hello()).protocol, "felhom-root-helper");
    client.close();
  } finally {
    t.mock.timers.reset();
    await h.close();
  }
});

test("limits – too much output is TOOL_OUTPUT_INVALID; a missing tool is TOOL_UNAVAILABLE", async () => {
  const h = await startTestHelper({
    rules: { sensors: [{ stdout: `{"x":"${"a".repeat(200_000)}"}` }] },
    limits: { maxOutputBytes: 64 * 1024 },
  });
  try {
    const client = await h.connect();
    await assert.rejects(
      client.sensors(),
      (e: HelperError) => e.code === "HELPER_TOOL_OUTPUT_INVALID",
    );
    await rm(h.fake.tools.sensors);
    await assert.rejects(
      client.sensors(),
      (e: HelperError) => e.code === "HELPER_TOOL_UNAVAILABLE",
    );
    client.close();
  } finally {
    await h.close();
  }
});

test("limits – an idle connection is closed; one with a request in flight is not", async () => {
  const h = await startTestHelper({
    rules: { sensors: [{ stdout: "{}", delayMs: 700 }] },
    limits: { idleTimeoutMs: 300 },
  });
  try {
    const busy = await h.connect();
    assert.deepEqual(await busy.sensors(), { readings: [] }); // 700 ms with nothing on the wire
    const idle = connect(h.socket);
    idle.on("error", () => undefined);
    await whenClosed(idle);
    busy.close();
  } finally {
    await h.close();
  }
});

test("limits – connections beyond maxConnections are closed at once; the others keep working", async () => {
  const h = await startTestHelper({ limits: { maxConnections: 2 } });
  try {
    const [a, b] = [await h.connect(), await h.connect()];
    const extra = connect(h.socket);
    extra.on("error", () => undefined);
    await whenClosed(extra);
    assert.equal((await a.hello()).version, 1);
    assert.equal((await b.hello()).version, 1);
    a.close();
    b.close();
  } finally {
    await h.close();
  }
});

test("close – waits for a running pct create before it returns", async () => {
  const h = await startTestHelper({ rules: { pct: [{ stdout: "done\n", delayMs: 400 }] } });
  const client = await h.connect();
  const created = client.createContainer(GOOD["golden.createContainer"]);
  // The fake pct records its call when it starts, then takes 400 ms: close must wait for it.
  while ((await h.fake.calls()).length === 0) await new Promise((r) => setImmediate(r));
  await h.close();
  // Ordering, not elapsed time: when close returns, the create has already ended and been audited.
  const audit = h.audit.find((a) => a.method === "golden.createContainer");
  const exitCode = (audit?.exec as Array<{ exitCode: number }> | undefined)?.[0]?.exitCode;
  assert.equal(exitCode, 0, "close returned before pct create finished");
  await created.catch(() => undefined);
  client.close();
});
