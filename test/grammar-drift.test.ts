// One grammar per value across the packages: the pve-client's request builders, the CLI, the root helper's
// param shapes, the agent's config and the simulator accept and refuse the same values (they drifted apart:
// storage id case, node length, VMID bounds, hostname, fingerprint, LXC net keys).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FINGERPRINT,
  HOSTNAME,
  LXC_NET_KEYS,
  NODE,
  SNAPSHOT_NAME,
  STORAGE_ID,
  VMID,
  matches,
} from "@felhom/grammar";
import { Hostname, StorageId, Vmid } from "@felhom/helper-protocol";
import {
  LXC_NET_CHANGE_KEYS,
  normalizeFingerprint,
  ops,
  parseLxcNet,
  toApiToken,
  API_OPERATIONS,
} from "@felhom/pve-client";
import { AgentConfigSchema, memoryIo, runCli } from "@felhom/agent";

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

/**
 * The CLI's verdict on an argument: let through to the session (which then fails on the missing config) or
 * refused as a usage error before that.
 */
async function cliAccepts(args: string[]): Promise<boolean> {
  const io = memoryIo({});
  await runCli(["--config", "/nonexistent/felhom.json", ...args], io);
  return /^felhom: config: cannot read/.test(io.err());
}

test("grammar drift – a storage id means the same to the client, the CLI and the helper", async () => {
  for (const id of ["local", "Local-LVM", "tank.01", "1bad", "x y", "a", "a".repeat(101)]) {
    const want = matches(STORAGE_ID, id);
    assert.equal(
      accepts(() => ops.backup("pve", { vmid: 100, mode: "stop", storage: id })),
      want,
      `client: ${id}`,
    );
    assert.equal(StorageId.safeParse(id).success, want, `helper: ${id}`);
    assert.equal(await cliAccepts(["backup", "100", "--storage", id]), want, `cli: ${id}`);
  }
});

test("grammar drift – VMID bounds are the same everywhere", async () => {
  for (const vmid of [99, 100, 999_999_999, 1_000_000_000]) {
    const want = vmid >= VMID.min && vmid <= VMID.max;
    assert.equal(
      accepts(() => ops.start("pve", "lxc", vmid)),
      want,
      `client: ${vmid}`,
    );
    assert.equal(Vmid.safeParse(vmid).success, want, `helper: ${vmid}`);
    assert.equal(await cliAccepts(["start", String(vmid), "--kind", "lxc"]), want, `cli ${vmid}`);
  }
});

test("grammar drift – host names, snapshot names and node names agree", async () => {
  const long = "a".repeat(64);
  for (const h of ["web-1.example.org", "bad_name", long, "-x"]) {
    const want = matches(HOSTNAME, h);
    assert.equal(Hostname.safeParse(h).success, want, `helper: ${h}`);
    const restore = { vmid: 201, archive: "local:backup/x.tar.zst", storage: "local" };
    assert.equal(
      accepts(() => ops.restore("pve", { ...restore, newIdentity: { hostname: h } })),
      want,
      `client: ${h}`,
    );
    const args = ["restore", "201", "--archive", restore.archive, "--storage", "local"];
    assert.equal(await cliAccepts([...args, "--hostname", h]), want, `cli: ${h}`);
  }
  for (const s of ["before_upgrade", "1bad", "a".repeat(41)]) {
    const want = matches(SNAPSHOT_NAME, s);
    assert.equal(
      accepts(() => ops.snapshot("pve", "lxc", 100, s)),
      want,
      `client: ${s}`,
    );
    assert.equal(await cliAccepts(["snapshot", "100", s, "--kind", "lxc"]), want, `cli: ${s}`);
  }
  const config = (node: string) => ({
    pve: {
      url: "https://127.0.0.1:8006",
      node,
      tokenId: "felhom@pve!agent",
      tls: { insecure: true },
    },
  });
  for (const n of ["pve", "PVE-1", long, "a.b"]) {
    const want = matches(NODE, n);
    assert.equal(
      accepts(() => ops.nodeStatus(n)),
      want,
      `client: ${n}`,
    );
    assert.equal(
      AgentConfigSchema.safeParse(config(n)).error?.issues.some((i) => i.path.includes("node")) !==
        true,
      want,
      `config: ${n}`,
    );
  }
});

test("grammar drift – fingerprints and token ids: config and client agree", () => {
  const fp = Array(32).fill("ab").join(":");
  for (const f of [fp, fp.slice(3), `${fp}:cd`, fp.replace("ab", "gg")]) {
    const want = matches(FINGERPRINT, f);
    assert.equal(
      accepts(() => normalizeFingerprint(f)),
      want,
      `client: ${f}`,
    );
  }
  for (const id of ["felhom@pve!agent", "fel!hom@pve!agent", "felhom@pve"]) {
    assert.equal(
      accepts(() => toApiToken(`${id}=s3cret`)),
      accepts(() => toApiToken({ id, secret: "s3cret" })),
      id,
    );
  }
});

test("grammar drift – LXC net keys: what the client sets and what it reads are the grammar's keys", () => {
  for (const k of LXC_NET_CHANGE_KEYS) assert.ok(k in LXC_NET_KEYS, k);
  // The config reader types every key of the grammar (and only those) when it parses a guest's net0.
  const spec = Object.entries(LXC_NET_KEYS)
    .map(([k, kind]) => `${k}=${kind === "number" ? "5" : kind === "boolean" ? "1" : "x"}`)
    .join(",");
  const req = ops.setConfig("pve", "lxc", 100, {
    net: { 0: { name: "eth0", bridge: "vmbr0", mtu: 1500 } },
  });
  assert.equal(req.params["net0"], "name=eth0,bridge=vmbr0,mtu=1500");
  const parsed = parseLxcNet(`${spec},bogus=1`);
  for (const [k, kind] of Object.entries(LXC_NET_KEYS)) {
    const v = (parsed as unknown as Record<string, unknown>)[k];
    assert.equal(typeof v, kind, k);
  }
  assert.ok(!("bogus" in parsed));
  assert.deepEqual(Object.keys(API_OPERATIONS.restore.args).sort(), [
    "archive",
    "hostname",
    "storage",
    "vmid",
  ]);
});
