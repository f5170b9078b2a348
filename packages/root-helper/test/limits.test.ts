// What the helper refuses and how it bounds work: unknown methods, extra keys and every rejected shape run
// nothing; in-flight, request and tool deadlines, output caps, missing tools, idle and connection limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { eventsIn, HelperErrorCode, type HelperError } from "@felhom/helper-protocol";
import { whenClosed, rawConnection, startTestHelper } from "./helpers.js";

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

test("limits – a request past its deadline is Timeout; a hung tool is killed at the tool deadline", async () => {
  const h = await startTestHelper({ limits: { requestTimeoutMs: 200, toolTimeoutMs: 1_000 } });
  try {
    // A hung sensors that starts fast and tells its pid (exec keeps it).
    const pidFile = join(h.root, "sensors.pid");
    await writeFile(h.fake.tools.sensors, `#!/bin/sh\necho $$ > ${pidFile}\nexec /bin/sleep 60\n`);
    const client = await h.connect();
    const started = Date.now();
    await assert.rejects(client.sensors(), (e: HelperError) => e.code === "HELPER_TIMEOUT");
    // The answer (and its audit line) leaves at the request deadline, while the tool still runs.
    const audit = h.audit.find((a) => a.method === "hw.sensors");
    assert.equal(audit?.decision, "failed");
    assert.equal(audit?.code, HelperErrorCode.TIMEOUT);
    const [exec] = audit?.exec as Array<{ argv: string[]; exitCode?: number }>;
    assert.deepEqual(exec?.argv, [h.fake.tools.sensors, "-j"]);
    assert.equal(exec?.exitCode, undefined);
    const pid = Number(await readFile(pidFile, "utf8"));
    assert.doesNotThrow(() => process.kill(pid, 0), "the tool runs until its own deadline");
    // Wait for it to go (no fixed sleep): gone long before its own 60 s end means the helper killed it.
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (alive()) await new Promise((r) => setTimeout(r, 10).unref());
    assert.ok(Date.now() - started >= 1_000, "not before the tool deadline");
    assert.ok(Date.now() - started < 50_000, "killed, not ended by itself after 60 s");
    assert.throws(() => process.kill(pid, 0), /ESRCH/, "the hung tool was killed");
    assert.equal((await client.hello()).protocol, "felhom-root-helper");
    client.close();
  } finally {
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
  const started = Date.now();
  await h.close();
  assert.ok(Date.now() - started >= 200, "close returned before pct create finished");
  await created.catch(() => undefined);
  const audit = h.audit.find((a) => a.method === "golden.createContainer");
  assert.equal((audit?.exec as Array<{ exitCode: number }>)[0]?.exitCode, 0);
  client.close();
});
