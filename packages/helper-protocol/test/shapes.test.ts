// Tables of accepted and rejected params for every method of the contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import { methods } from "../src/index.js";
import type { MethodKey } from "../src/index.js";

const goodCreate = {
  vmid: 9000,
  ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
  storage: "local-lvm",
  hostname: "golden.example.lan",
  memory: 1024,
  cores: 2,
  rootfsGiB: 8,
  bridge: "vmbr0",
};

/** Rejections that apply to any params object: wrong container shapes, extra keys, prototype tricks. */
function commonRejects(good: Record<string, unknown>): unknown[] {
  return [
    null,
    undefined,
    "string",
    42,
    [],
    [good],
    { ...good, extra: 1 },
    JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(good).slice(1, -1) || '"y":1'}}`),
    { ...good, constructor: "x" },
  ];
}

/** Values a string field must refuse, whatever its pattern. */
const hostileStrings = [
  "",
  " ",
  "-rf",
  "--force",
  "a b",
  " a",
  "a\n",
  "a\u0000b",
  "a\tb",
  "..",
  "../etc",
  "a/b",
  "аbc", // Cyrillic a
  "ａbc", // full-width a
  "a\u200bb", // zero-width space
  "x".repeat(400),
  "$(id)",
  "`id`",
  "a;b",
  "*",
];

function replaceEach(good: Record<string, unknown>, key: string, values: unknown[]): unknown[] {
  return values.map((v) => ({ ...good, [key]: v }));
}

const intRejects = (min: number, max: number) => [
  min - 1,
  max + 1,
  1.5,
  -1,
  String(min),
  "1e3",
  NaN,
  Infinity,
  null,
  true,
  [min],
  { v: min },
  Number.MAX_SAFE_INTEGER + 2,
];

const cases: Record<MethodKey, { accept: unknown[]; reject: unknown[] }> = {
  hello: {
    accept: [{}],
    reject: [null, [], { a: 1 }, "x", 1, JSON.parse('{"__proto__":{"a":1}}'), { constructor: 1 }],
  },
  createContainer: {
    accept: [
      goodCreate,
      { ...goodCreate, vmid: 100, memory: 16, cores: 1, rootfsGiB: 1, bridge: "vmbr9999" },
      {
        ...goodCreate,
        vmid: 999_999_999,
        hostname: "a",
        ostemplate: "nfs.store-1:vztmpl/alpine-3.22-default_20250108_amd64.tar.xz",
      },
      {
        ...goodCreate,
        ostemplate: "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.gz",
        storage: "zfs_pool.2",
      },
      // pve-storage-id is case-insensitive (as PVE, the client and the CLI take it: one grammar)
      { ...goodCreate, ostemplate: "NAS:vztmpl/debian.tar.zst", storage: "Local-LVM" },
    ],
    reject: [
      ...commonRejects(goodCreate),
      ...replaceEach(goodCreate, "vmid", intRejects(100, 999_999_999)),
      ...replaceEach(goodCreate, "ostemplate", [
        ...hostileStrings,
        "-",
        "local:vztmpl/../../etc/shadow.tar.gz",
        "local:vztmpl/a..tar.gz",
        "local:vztmpl/.hidden.tar.gz",
        "local:vztmpl/-x.tar.gz",
        "local:iso/debian.tar.zst",
        "local:vztmpl/debian.iso",
        "local:vztmpl/debian.tar.zst ",
        "/var/lib/vz/template/cache/debian.tar.zst",
        "local:vztmpl/sub/debian.tar.zst",
        "local:vztmpl/debian.tar.zst\n",
      ]),
      ...replaceEach(goodCreate, "storage", [
        ...hostileStrings,
        "1local",
        "a",
        "local-",
        "local:x",
      ]),
      ...replaceEach(goodCreate, "hostname", [
        ...hostileStrings.filter((s) => s !== "x".repeat(400)),
        "-host",
        "host-",
        "a..b",
        ".a",
        "a.",
        "under_score",
        `${"a".repeat(64)}.lan`,
        `${"a.".repeat(127)}ab`,
      ]),
      ...replaceEach(goodCreate, "memory", intRejects(16, 4_194_304)),
      ...replaceEach(goodCreate, "cores", intRejects(1, 8192)),
      ...replaceEach(goodCreate, "rootfsGiB", intRejects(1, 131_072)),
      ...replaceEach(goodCreate, "bridge", [
        ...hostileStrings,
        "vmbr",
        "vmbr01",
        "vmbr10000",
        "eth0",
        "VMBR0",
        "vmbr0 ",
      ]),
      ...Object.keys(goodCreate).map((k) =>
        Object.fromEntries(Object.entries(goodCreate).filter(([key]) => key !== k)),
      ),
    ],
  },
  usbMount: {
    accept: [
      { uuid: "d4373e31-0b8a-4c1e-9a6f-2f0e3c1d5b7a", name: "backup", fstype: "ext4" },
      { uuid: "1234-ABCD", name: "photos-2", fstype: "vfat" },
      { uuid: "0123456789ABCDEF", name: "n", fstype: "ntfs3" },
      { uuid: "d4373e31-0b8a-4c1e-9a6f-2f0e3c1d5b7a", name: "a".repeat(32), fstype: "btrfs" },
    ],
    reject: [
      ...commonRejects({ uuid: "1234-ABCD", name: "backup", fstype: "vfat" }),
      ...replaceEach({ name: "backup", fstype: "ext4" }, "uuid", [
        ...hostileStrings,
        "D4373E31-0B8A-4C1E-9A6F-2F0E3C1D5B7A",
        "d4373e31-0b8a-4c1e-9a6f-2f0e3c1d5b7",
        "1234-abcd",
        "1234ABCD",
        "0123456789abcdef",
        "../../dev/sda",
        "/dev/sda1",
        "d4373e31-0b8a-4c1e-9a6f-2f0e3c1d5b7a\n",
      ]),
      ...replaceEach({ uuid: "1234-ABCD", fstype: "vfat" }, "name", [
        ...hostileStrings,
        "Backup",
        "a".repeat(33),
        "-backup",
        "back_up",
        "back.up",
      ]),
      ...replaceEach({ uuid: "1234-ABCD", name: "backup" }, "fstype", [
        ...hostileStrings,
        "ntfs",
        "EXT4",
        "ext4,exec",
        "nfs",
        "auto",
        "tmpfs",
      ]),
      { uuid: "1234-ABCD", name: "backup" },
      { uuid: "1234-ABCD", fstype: "vfat" },
    ],
  },
  usbUnmount: {
    accept: [{ name: "backup" }, { name: "0" }, { name: "usb-disk-1" }],
    reject: [
      ...commonRejects({ name: "backup" }),
      ...replaceEach({}, "name", [
        ...hostileStrings,
        "Backup",
        "a".repeat(33),
        "-x",
        1,
        null,
        ["backup"],
      ]),
      {},
    ],
  },
  smart: {
    accept: [
      { device: "/dev/sda" },
      { device: "/dev/sdaz" },
      { device: "/dev/nvme0n1" },
      { device: "/dev/nvme12n3" },
    ],
    reject: [
      ...commonRejects({ device: "/dev/sda" }),
      ...replaceEach({}, "device", [
        ...hostileStrings,
        "/dev/sda1",
        "/dev/nvme0n1p1",
        "/dev/sda/../sdb",
        "/dev/../dev/sda",
        "/dev/disk/by-id/usb-x",
        "/dev/dm-0",
        "/dev/zd0",
        "/dev/loop0",
        "/dev/vda",
        "/dev/SDA",
        "sda",
        "/dev/sda ",
        "/dev/nvme0",
        "/dev/sdabc",
      ]),
      {},
    ],
  },
  sensors: {
    accept: [{}],
    reject: [
      null,
      [],
      { a: 1 },
      "x",
      1,
      { chip: "x" },
      JSON.parse('{"__proto__":{"a":1}}'),
      { constructor: 1 },
    ],
  },
};

for (const key of Object.keys(cases) as MethodKey[]) {
  const { accept, reject } = cases[key];
  const schema = methods[key].params;
  test(`${methods[key].method} params – accepts every allowed shape`, () => {
    for (const value of accept) {
      const r = schema.safeParse(value);
      assert.ok(
        r.success,
        `should accept ${JSON.stringify(value)}: ${r.success ? "" : r.error.message}`,
      );
    }
  });
  test(`${methods[key].method} params – rejects hostile and malformed shapes`, () => {
    if (key !== "hello" && key !== "sensors")
      assert.ok(reject.length >= 20, `${key}: only ${reject.length} rejected cases`);
    for (const value of reject) {
      const r = schema.safeParse(value);
      assert.ok(!r.success, `should reject ${JSON.stringify(value)}`);
    }
  });
}

test("contract – method names are those of the design table", () => {
  assert.deepEqual(
    Object.values(methods).map((m) => m.method),
    [
      "helper.hello",
      "golden.createContainer",
      "usb.mount",
      "usb.unmount",
      "hw.smart",
      "hw.sensors",
    ],
  );
});
