// Config loading: the file, environment and command-line overrides, and one-line errors that name the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, parseConfig } from "../src/config.js";
import { AgentError } from "../src/errors.js";

const FP = Array.from({ length: 32 }, (_, i) =>
  (i * 7).toString(16).padStart(2, "0").toUpperCase(),
).join(":");
const good = {
  pve: {
    url: "https://127.0.0.1:8006",
    node: "pve",
    tokenId: "felhom@pve!agent",
    tls: { fingerprint256: FP },
  },
  helper: { socket: "/run/felhom-helper/helper.sock" },
  snapshot: { intervalSeconds: 60, stateFile: "/run/felhom/state.json" },
  log: { level: "info" },
};

function configError(fn: () => unknown): AgentError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AgentError, `expected AgentError, got ${String(err)}`);
    assert.equal(err.code, "AGENT_CONFIG_INVALID");
    assert.equal(err.exitCode, 2);
    assert.ok(!err.message.includes("\n"), "one line");
    assert.ok(!/\bat .*:\d+:\d+/.test(err.message), "no stack trace");
    return err;
  }
  assert.fail("expected a config error");
}

const withPve = (pve: Record<string, unknown>) => ({ ...good, pve: { ...good.pve, ...pve } });

test("config – the example shape validates, and defaults fill the optional sections", () => {
  const c = parseConfig({ pve: good.pve });
  assert.equal(c.helper.socket, "/run/felhom-helper/helper.sock");
  assert.equal(c.snapshot.intervalSeconds, 60);
  assert.equal(c.snapshot.stateFile, "/run/felhom/state.json");
  assert.equal(c.log.level, "info");
  assert.deepEqual(parseConfig(good).pve, good.pve);
});

test("config – each bad field is named in a one-line error", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /^config: pve: is required/],
    [withPve({ url: "http://127.0.0.1:8006" }), /^config: pve\.url: must be an https:\/\/ URL/],
    [withPve({ url: "https://root:pw@pve:8006" }), /^config: pve\.url: must be an https:\/\/ URL/],
    [withPve({ url: 8006 }), /^config: pve\.url: must be a string$/],
    [withPve({ node: "pve node" }), /^config: pve\.node: must be a PVE node name/],
    [withPve({ tokenId: "felhom@pve" }), /^config: pve\.tokenId: must be an API token id/],
    // PVE's realm and token names have at least two characters (the client would refuse it later).
    [withPve({ tokenId: "a@pve!b" }), /^config: pve\.tokenId: must be an API token id/],
    [withPve({ tokenId: "a@p!agent" }), /^config: pve\.tokenId: must be an API token id/],
    [withPve({ tokenId: undefined }), /^config: pve\.tokenId: is required/],
    [
      withPve({ tls: {} }),
      /^config: pve\.tls: set exactly one of fingerprint256, caFile, insecure$/,
    ],
    [
      withPve({ tls: { fingerprint256: FP, insecure: true } }),
      /^config: pve\.tls: set exactly one/,
    ],
    [
      withPve({ tls: { fingerprint256: "AB:CD" } }),
      /^config: pve\.tls\.fingerprint256: must be a SHA-256/,
    ],
    [withPve({ tls: { insecure: false } }), /^config: pve\.tls\.insecure: may only be true/],
    [withPve({ tls: { caFile: "ca.pem" } }), /^config: pve\.tls\.caFile: must be an absolute path/],
    [
      { ...good, helper: { socket: "/run/../etc/x" } },
      /^config: helper\.socket: must be an absolute path/,
    ],
    [
      { ...good, helper: { socket: `/${"s".repeat(120)}` } },
      /^config: helper\.socket: is too long/,
    ],
    [
      { ...good, snapshot: { intervalSeconds: "60" } },
      /^config: snapshot\.intervalSeconds: must be a number$/,
    ],
    [
      { ...good, snapshot: { intervalSeconds: 0 } },
      /^config: snapshot\.intervalSeconds: must be at least 0\.1$/,
    ],
    [
      { ...good, snapshot: { disks: ["/dev/vda"] } },
      /^config: snapshot\.disks\.0: must be a whole-disk block device/,
    ],
    [{ ...good, log: { level: "loud" } }, /^config: log\.level: must be one of fatal, error/],
    [{ ...good, extra: true }, /^config: \(top level\): unknown field "extra"$/],
    [withPve({ tls: { fingerprint256: FP, pin: 1 } }), /^config: pve\.tls: unknown field "pin"$/],
  ];
  for (const [input, expected] of cases) {
    const err = configError(() => parseConfig(input, "/etc/felhom/agent.json"));
    assert.match(err.message, expected, JSON.stringify(input));
  }
});

test("config – hostile keys and values never break the line or flood the terminal", () => {
  const evil = "\u001b[2J\nrm -rf /\r\u0007".repeat(40);
  const err = configError(() => parseConfig({ ...good, [evil]: 1 }));
  assert.ok(![...err.message].some((c) => c.charCodeAt(0) < 0x20), "no control characters");
  assert.ok(err.message.length <= 400);
  const err2 = configError(() => parseConfig(withPve({ url: evil })));
  assert.match(err2.message, /^config: pve\.url: /);
  assert.ok(!err2.message.includes("rm -rf"), "the bad value itself is not echoed");
});

test("config – environment overrides win over the file and are named in errors", async () => {
  const dir = await mkdtemp(join(tmpdir(), "felhom-config-"));
  try {
    const path = join(dir, "agent.json");
    await writeFile(path, JSON.stringify(good));
    const c = loadConfig({
      path,
      env: {
        FELHOM_PVE_URL: "https://10.0.0.2:8006",
        FELHOM_NODE: "node2",
        FELHOM_TOKEN_ID: "ops@pam!ci",
        FELHOM_TLS_CA_FILE: "/etc/pve/pve-root-ca.pem",
        FELHOM_HELPER_SOCKET: "/tmp/h.sock",
        FELHOM_SNAPSHOT_INTERVAL: "2.5",
        FELHOM_STATE_FILE: "/tmp/state.json",
        FELHOM_UNRELATED: "x",
      },
    });
    assert.equal(c.pve.url, "https://10.0.0.2:8006");
    assert.equal(c.pve.node, "node2");
    assert.equal(c.pve.tokenId, "ops@pam!ci");
    // A TLS override replaces the file's choice (fingerprint) instead of conflicting with it.
    assert.deepEqual(c.pve.tls, { caFile: "/etc/pve/pve-root-ca.pem" });
    assert.equal(c.helper.socket, "/tmp/h.sock");
    assert.equal(c.snapshot.intervalSeconds, 2.5);
    assert.equal(c.snapshot.stateFile, "/tmp/state.json");

    const e1 = configError(() => loadConfig({ path, env: { FELHOM_SNAPSHOT_INTERVAL: "soon" } }));
    assert.equal(
      e1.message,
      "config: snapshot.intervalSeconds (from FELHOM_SNAPSHOT_INTERVAL): must be a number",
    );
    const e2 = configError(() => loadConfig({ path, env: { FELHOM_PVE_URL: "ftp://x" } }));
    assert.match(e2.message, /^config: pve\.url \(from FELHOM_PVE_URL\): must be an https/);
    const e3 = configError(() =>
      loadConfig({ path, env: { FELHOM_TLS_FINGERPRINT: FP, FELHOM_TLS_CA_FILE: "/ca.pem" } }),
    );
    assert.match(e3.message, /FELHOM_TLS_FINGERPRINT and FELHOM_TLS_CA_FILE exclude each other/);
    // Command-line options win over the environment.
    const c2 = loadConfig({
      path,
      env: { FELHOM_NODE: "envnode" },
      cli: { node: "clinode", insecure: true },
    });
    assert.equal(c2.pve.node, "clinode");
    assert.deepEqual(c2.pve.tls, { insecure: true });
    const e4 = configError(() => loadConfig({ path, env: {}, cli: { logLevel: "chatty" } }));
    assert.match(e4.message, /^config: log\.level \(from --log-level\): must be one of/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("config – unreadable, oversized, non-JSON and non-object files are refused by name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "felhom-config-"));
  try {
    const missing = join(dir, "missing.json");
    assert.equal(
      configError(() => loadConfig({ path: missing })).message,
      `config: cannot read ${missing}: ENOENT`,
    );
    const bad = join(dir, "bad.json");
    await writeFile(bad, '{"pve": {"url": }');
    assert.match(
      configError(() => loadConfig({ path: bad })).message,
      new RegExp(`^config: ${bad}: not valid JSON`),
    );
    await writeFile(bad, "[1,2]");
    assert.equal(
      configError(() => loadConfig({ path: bad })).message,
      `config: ${bad}: must be a JSON object`,
    );
    await writeFile(bad, " ".repeat(70_000));
    assert.match(configError(() => loadConfig({ path: bad })).message, /larger than 65536 bytes/);
    assert.equal(
      configError(() => loadConfig({ path: dir })).message,
      `config: cannot read ${dir}: EISDIR`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
