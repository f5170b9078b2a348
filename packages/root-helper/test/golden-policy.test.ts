// golden.createContainer only inside the root-owned golden-image policy: every value outside it is POLICY_DENIED,
// a policy file that is missing, a link, writable by others, not root's or not exactly the policy's shape is
// POLICY_INVALID, and the guests in the policy's vmid range (any node, any kind) count against maxContainers.
// Nothing runs in any of these cases. The packaged deploy/golden-policy.json is a valid, narrow policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, chown, copyFile, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HelperError } from "@felhom/helper-protocol";
import { OPEN_POLICY } from "@felhom/test-support/fake-tools";
import { PACKAGE_DIR, isRoot } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";
import { checkPolicy, readPolicy } from "../src/golden-policy.js";

const code = (c: string) => (err: unknown) => err instanceof HelperError && err.code === c;
const POLICY = {
  allow: {
    ostemplate: ["local:vztmpl/debian-13-standard_*_amd64.tar.zst"],
    storage: ["local-lvm"],
    bridge: ["vmbr0"],
  },
  max: { rootfsGiB: 32, memory: 4096, cores: 4 },
  vmids: [9000, 9099],
  maxContainers: 2,
};
const CREATE = {
  vmid: 9000,
  ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
  storage: "local-lvm",
  hostname: "golden",
  memory: 4096,
  cores: 4,
  rootfsGiB: 32,
  bridge: "vmbr0",
};

test("golden policy – each value outside the policy is POLICY_DENIED and pct never runs; inside it runs", async () => {
  const h = await startTestHelper({ policy: POLICY, rules: { pct: [{ stdout: "ok\n" }] } });
  const client = await h.connect();
  try {
    const outside: Array<Partial<typeof CREATE>> = [
      { ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" },
      { ostemplate: "nfs:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst" },
      { ostemplate: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.gz" },
      { storage: "local" },
      { bridge: "vmbr1" },
      { vmid: 8999 },
      { vmid: 9100 },
      { rootfsGiB: 33 },
      { memory: 4097 },
      { cores: 5 },
    ];
    for (const change of outside)
      await assert.rejects(
        client.createContainer({ ...CREATE, ...change }),
        code("HELPER_POLICY_DENIED"),
        JSON.stringify(change),
      );
    assert.deepEqual(await h.fake.calls(), []);
    assert.equal((await client.createContainer(CREATE)).vmid, 9000);
    assert.equal((await h.fake.calls()).length, 1);
    const denied = h.audit.filter((a) => a.method === "golden.createContainer");
    assert.equal(denied.length, outside.length + 1); // every refusal is audited
  } finally {
    client.close();
    await h.close();
  }
});

test("golden policy – guests in the vmid range on any node count; at maxContainers it is GOLDEN_LIMIT", async () => {
  const h = await startTestHelper({ policy: POLICY, rules: { pct: [{ stdout: "ok\n" }] } });
  const client = await h.connect();
  const nodes = join(h.dirs.pveDir, "nodes");
  try {
    await mkdir(join(nodes, "pve2", "qemu-server"), { recursive: true });
    await writeFile(join(nodes, "pve1", "lxc", "9000.conf"), "hostname: golden\n");
    await writeFile(join(nodes, "pve1", "lxc", "100.conf"), "hostname: other\n"); // outside the range
    await writeFile(join(nodes, "pve1", "lxc", "9098.conf.tmp"), ""); // not a config
    assert.equal((await client.createContainer({ ...CREATE, vmid: 9001 })).vmid, 9001);
    await writeFile(join(nodes, "pve2", "qemu-server", "9050.conf"), "memory: 512\n");
    await assert.rejects(
      client.createContainer({ ...CREATE, vmid: 9002 }),
      code("HELPER_GOLDEN_LIMIT"),
    );
    await rm(nodes, { recursive: true }); // pmxcfs not mounted: the count is unknown
    await assert.rejects(
      client.createContainer({ ...CREATE, vmid: 9003 }),
      code("HELPER_GOLDEN_LIMIT"),
    );
    assert.equal((await h.fake.calls()).length, 1);
  } finally {
    client.close();
    await h.close();
  }
});

test("golden policy – a missing, linked, writable, foreign or malformed policy file is POLICY_INVALID", async (t) => {
  const h = await startTestHelper({ policy: POLICY });
  const client = await h.connect();
  const file = h.dirs.goldenPolicy;
  const good = JSON.stringify(POLICY);
  const cases: Array<[string, () => Promise<void>]> = [
    ["missing", () => rm(file)],
    [
      "a link to a good policy",
      async () => {
        await writeFile(`${file}.real`, good, { mode: 0o644 });
        await rm(file);
        await symlink(`${file}.real`, file);
      },
    ],
    ["group-writable", () => chmod(file, 0o664)],
    ["other-writable", () => chmod(file, 0o646)],
    ["not JSON", () => writeFile(file, "{ templates: [")],
    ["an unknown key", () => writeFile(file, JSON.stringify({ ...POLICY, maxDisks: 1 }))],
    [
      "a missing key",
      () => writeFile(file, JSON.stringify({ ...POLICY, max: { rootfsGiB: 8, memory: 512 } })),
    ],
    [
      "a bad bridge",
      () =>
        writeFile(
          file,
          JSON.stringify({ ...POLICY, allow: { ...POLICY.allow, bridge: ["eth0"] } }),
        ),
    ],
    [
      "a bad template",
      () =>
        writeFile(
          file,
          JSON.stringify({ ...POLICY, allow: { ...POLICY.allow, ostemplate: ["/tmp/x.tar"] } }),
        ),
    ],
    ["a reversed range", () => writeFile(file, JSON.stringify({ ...POLICY, vmids: [9100, 9000] }))],
    [
      "a missing list",
      () => writeFile(file, JSON.stringify({ ...POLICY, allow: { storage: [] } })),
    ],
    [
      "a float cap",
      () => writeFile(file, JSON.stringify({ ...POLICY, max: { ...POLICY.max, cores: 1.5 } })),
    ],
    ["not an object", () => writeFile(file, "[]")],
  ];
  if (isRoot) cases.push(["owned by another user", () => chown(file, 65534, 65534)]);
  else t.diagnostic("not root: the foreign-owner case is skipped");
  try {
    for (const [label, spoil] of cases) {
      await spoil();
      await assert.rejects(client.createContainer(CREATE), code("HELPER_POLICY_INVALID"), label);
      await rm(file, { force: true });
      await writeFile(file, good, { mode: 0o644 });
      await chmod(file, 0o644);
    }
    assert.deepEqual(await h.fake.calls(), []);
  } finally {
    client.close();
    await h.close();
  }
});

test("golden policy – the packaged deploy/golden-policy.json is valid and narrow", async () => {
  const h = await startTestHelper();
  try {
    const copy = join(h.root, "packaged.json");
    await copyFile(join(PACKAGE_DIR, "..", "..", "deploy", "golden-policy.json"), copy);
    await chmod(copy, 0o644); // as the installer puts it: root 0644
    const policy = await readPolicy(copy);
    assert.deepEqual(policy, JSON.parse(await readFile(copy, "utf8")));
    checkPolicy(policy, CREATE, []); // Debian 13's standard template on local-lvm, vmbr0, 9000
    const denied = (p: object, vmids: number[] = []) =>
      assert.throws(() => checkPolicy(policy, { ...CREATE, ...p }, vmids));
    denied({ vmid: 100 });
    denied({ rootfsGiB: 1024 });
    denied({ ostemplate: "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst" });
    denied({}, [9000, 9001]);
    assert.ok(policy.maxContainers < (OPEN_POLICY.maxContainers as number));
  } finally {
    await h.close();
  }
});
