// Each value grammar – a table of values it must accept and refuse, its bounds, and that every pattern is
// anchored and stateless (so zod, the CLI and hand-written checks can all wrap it the same way).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as G from "../src/index.js";
import { inRange, matches, type TextGrammar } from "../src/index.js";

const label63 = "a".repeat(63);

const TEXT: Array<[string, TextGrammar, string[], string[]]> = [
  ["NODE", G.NODE, ["pve", "PVE-1", label63], ["", "-pve", "pve-", "a.b", "a".repeat(64), "pve\n"]],
  [
    "STORAGE_ID",
    G.STORAGE_ID,
    ["local", "local-lvm", "Local-LVM", "tank.01", "ab"],
    ["a", "1local", "local-", "x y", "a".repeat(101), "local\n"],
  ],
  [
    "VOLUME_ID",
    G.VOLUME_ID,
    [
      "local:backup/vzdump-lxc-100-2026_01_01-00_00_00.tar.zst",
      "Local-LVM:vm-100-disk-0",
      "pbs:backup/ct/101/2026-01-01T00:00:00Z",
    ],
    ["local", "local:", "local: x", "local:-x", ":x"],
  ],
  [
    "OS_TEMPLATE",
    G.OS_TEMPLATE,
    ["local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst"],
    ["local:vztmpl/../x.tar.zst", "local:iso/x.tar.zst", "local:vztmpl/a/b.tar.zst"],
  ],
  [
    "HOSTNAME",
    G.HOSTNAME,
    ["web", "web-1.example.org", label63],
    ["bad_name", "-web", "web.", "a".repeat(64), `${label63}.${label63}.${label63}.${label63}`],
  ],
  ["BRIDGE", G.BRIDGE, ["vmbr0", "vmbr9999"], ["vmbr", "vmbr01", "eth0", "vmbr10000"]],
  [
    "SNAPSHOT_NAME",
    G.SNAPSHOT_NAME,
    ["before_upgrade", "ab", "a".repeat(40)],
    ["a", "1bad", "has space", "a".repeat(41)],
  ],
  [
    "FINGERPRINT",
    G.FINGERPRINT,
    [Array(32).fill("AB").join(":"), Array(32).fill("0f").join(":")],
    [Array(31).fill("AB").join(":"), "AB".repeat(32), Array(32).fill("GG").join(":")],
  ],
  [
    "TOKEN_ID",
    G.TOKEN_ID,
    ["felhom@pve!agent", "root@pam!a1"],
    ["felhom@pve", "felhom@pve!a", "fel!hom@pve!agent", "a b@pve!agent", "x@pve!agent=secret"],
  ],
];

test("grammar – each text grammar accepts and refuses its table", () => {
  for (const [name, g, good, bad] of TEXT) {
    for (const v of good) assert.ok(matches(g, v), `${name} must accept ${JSON.stringify(v)}`);
    for (const v of bad) assert.ok(!matches(g, v), `${name} must refuse ${JSON.stringify(v)}`);
    assert.ok(!matches(g, 42), `${name} refuses a non-string`);
  }
});

test("grammar – patterns are anchored and stateless; every grammar cites a format and is frozen", () => {
  for (const [name, g] of TEXT) {
    assert.ok(g.pattern.source.startsWith("^") && g.pattern.source.endsWith("$"), name);
    assert.ok(!g.pattern.global && !g.pattern.sticky, name);
    assert.ok(g.format.length > 0 && g.what.length > 0, name);
    assert.ok(g.minLength >= 0 && g.minLength <= g.maxLength, name);
    assert.ok(Object.isFrozen(g), name);
  }
});

test("grammar – VMID is pve-vmid's 100..999999999, integers only", () => {
  for (const v of [100, 101, 999_999_999]) assert.ok(inRange(G.VMID, v), String(v));
  for (const v of [99, 0, -1, 1_000_000_000, 100.5, Number.NaN, "100"])
    assert.ok(!inRange(G.VMID, v), String(v));
  assert.equal(G.VMID.format, "pve-vmid");
});

test("grammar – PVE's own token and user id syntax differ from TOKEN_ID only where it says so", () => {
  assert.ok(G.PVE_TOKEN_ID.test("felhom@pve!agent"));
  assert.ok(G.PVE_TOKEN_ID.test("fel!hom@pve!agent"), "PVE allows ! in USER");
  assert.ok(!matches(G.TOKEN_ID, "fel!hom@pve!agent"), "the project does not");
  assert.ok(G.PVE_USER_ID.test("felhom@pve") && !G.PVE_USER_ID.test("felhom"));
});

test("grammar – LXC net keys carry their value type", () => {
  assert.equal(G.LXC_NET_KEYS.name, "string");
  assert.equal(G.LXC_NET_KEYS.firewall, "boolean");
  assert.equal(G.LXC_NET_KEYS.mtu, "number");
  assert.ok(Object.isFrozen(G.LXC_NET_KEYS));
});
