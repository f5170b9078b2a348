// The helper over a real Unix socket with fake tools: each method runs exactly the builder's argv with the fixed
// environment and no input, answers with contract results or fixed errors, and writes one audit line per request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstat, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { HelperError } from "@felhom/helper-protocol";
import { argv, UNIT_MARKER, escapePath } from "../src/index.js";
import { fixture, fixturePath } from "@felhom/test-support/fake-tools";
import { isRoot, run } from "./helpers.js";
import { startTestHelper } from "@felhom/test-support/root-helper";

const CREATE = {
  vmid: 9000,
  ostemplate: "local:vztmpl/debian-13-standard_13.1-1_amd64.tar.zst",
  storage: "local-lvm",
  hostname: "golden",
  memory: 1024,
  cores: 2,
  rootfsGiB: 8,
  bridge: "vmbr0",
};
/** The whole environment every tool must see: nothing inherited from the helper. */
const CLEAN_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" };
const UUID = JSON.parse(fixture("uuids.json")) as Record<string, string>;
const code = (c: string) => (err: unknown) => err instanceof HelperError && err.code === c;

test("server – hello answers the protocol, version and every method; the connection is audited", async () => {
  const h = await startTestHelper();
  try {
    const client = await h.connect();
    assert.deepEqual(client.info, {
      protocol: "felhom-root-helper",
      version: 1,
      methods: [
        "helper.hello",
        "golden.createContainer",
        "usb.mount",
        "usb.unmount",
        "hw.smart",
        "hw.sensors",
      ],
    });
    client.close();
    const [conn, hello] = h.audit;
    assert.equal(conn?.method, "(connect)");
    assert.equal(conn?.decision, "ok");
    assert.deepEqual(conn?.peer, {
      pid: process.pid,
      uid: process.getuid?.(),
      gid: process.getgid?.(),
    });
    assert.equal(hello?.method, "helper.hello");
    assert.equal(hello?.decision, "ok");
    assert.match(String(hello?.time), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(await h.fake.calls(), []);
  } finally {
    await h.close();
  }
});

test("golden.createContainer – exactly the builder's argv, fixed env, no stdin; output tail sanitised", async () => {
  const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`);
  const h = await startTestHelper({
    rules: {
      pct: [{ stdout: `${lines.join("\n")}\n\u001b[31mred\u0007\n\n`, stderr: "WARN: x\r\n" }],
    },
  });
  try {
    const client = await h.connect();
    const r = await client.createContainer(CREATE);
    client.close();
    assert.equal(r.vmid, 9000);
    assert.equal(r.output.length, 50);
    assert.deepEqual(r.output.slice(-3), ["line 59", "[31mred", "WARN: x"]);
    const calls = await h.fake.calls();
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]?.argv, argv.pctCreate(h.fake.tools, CREATE).slice(1));
    assert.deepEqual(calls[0]?.env, CLEAN_ENV);
    assert.equal(calls[0]?.stdin, "");
    const audit = h.audit.find((a) => a.method === "golden.createContainer");
    assert.deepEqual(audit?.params, CREATE);
    assert.equal(audit?.decision, "ok");
    const exec = audit?.exec as Array<{ argv: string[]; exitCode: number }>;
    assert.deepEqual(
      exec.map((e) => [e.argv, e.exitCode]),
      [[[...argv.pctCreate(h.fake.tools, CREATE)], 0]],
    );
    assert.equal(typeof audit?.durationMs, "number");
  } finally {
    await h.close();
  }
});

test("exec – a tool inherits no socket: neither the listening one nor any connection", async () => {
  const h = await startTestHelper({ rules: { sensors: [{ stdout: "{}" }] } });
  try {
    const [a, b] = [await h.connect(), await h.connect()];
    await a.sensors();
    a.close();
    b.close();
    const [call] = await h.fake.calls();
    // 0-2 are libuv's stdio socketpairs; nothing above may be a socket.
    const sockets = Object.entries(call!.fds).filter(
      ([fd, target]) => Number(fd) > 2 && target.startsWith("socket:"),
    );
    assert.deepEqual(sockets, []);
    assert.ok(Object.keys(call!.fds).length >= 3, "the fake saw its descriptors");
  } finally {
    await h.close();
  }
});

test("golden.createContainer – a second concurrent create is Busy and runs nothing", async () => {
  const h = await startTestHelper({ rules: { pct: [{ stdout: "ok\n", delayMs: 400 }] } });
  try {
    const [a, b] = [await h.connect(), await h.connect()];
    const first = a.createContainer(CREATE);
    // The fake pct records its call when it starts, then takes 400 ms: the second create meets it running.
    while ((await h.fake.calls()).length === 0) await new Promise((r) => setImmediate(r));
    await assert.rejects(b.createContainer({ ...CREATE, vmid: 9001 }), code("HELPER_BUSY"));
    assert.equal((await first).vmid, 9000);
    assert.equal((await b.createContainer({ ...CREATE, vmid: 9002 })).vmid, 9002);
    a.close();
    b.close();
    assert.deepEqual(
      (await h.fake.calls()).map((c) => c.argv[1]),
      ["9000", "9002"],
    );
  } finally {
    await h.close();
  }
});

test("golden.createContainer – pct failing is TOOL_FAILED; none of its output crosses the socket", async () => {
  const h = await startTestHelper({
    rules: {
      pct: [{ stderr: "unable to create CT 9000 - /etc/pve/secret-CANARY\n", exitCode: 255 }],
    },
  });
  try {
    const client = await h.connect();
    const err = await client.createContainer(CREATE).catch((e: unknown) => e);
    client.close();
    assert.ok(code("HELPER_TOOL_FAILED")(err));
    assert.doesNotMatch(String((err as Error).message), /CANARY|etc\/pve/);
    const audit = h.audit.find((a) => a.method === "golden.createContainer");
    assert.equal(audit?.decision, "failed");
    assert.equal((audit?.exec as Array<{ exitCode: number }>)[0]?.exitCode, 255);
  } finally {
    await h.close();
  }
});

/** A helper whose lsblk prints the host fixture and whose by-id directory has udev-style links. */
async function usbHelper(rules: Parameters<typeof startTestHelper>[0] = {}) {
  const h = await startTestHelper({
    ...rules,
    rules: { lsblk: [{ stdoutFile: fixturePath("lsblk-host.txt") }], ...rules.rules },
  });
  for (const [link, target] of [
    ["usb-SanDisk_Ultra_4C530001230110111084-0:0", "../../sdb"],
    ["usb-SanDisk_Ultra_4C530001230110111084-0:0-part1", "../../sdb1"],
    ["ata-Samsung_SSD_870_EVO_1TB_S6PTNZ0R123456A-part1", "../../sdb1"],
    ["usb-Generic_Flash_Disk_8E3B1A2C-0:0", "../../sde"],
    ["usb-bad name with spaces-part2", "../../sdf2"], // the only link of sdf2: a name it never writes
  ] as const)
    await symlink(target, join(h.dirs.byIdDir, link));
  const where = (name: string) => join(h.dirs.mountBase, name);
  const unitFile = (name: string) => join(h.dirs.unitDir, `${escapePath(where(name))}.mount`);
  return { ...h, where, unitFile };
}

test("usb.mount – eligible partition: unit written atomically (0644, marked), daemon-reload, enable --now", async () => {
  const h = await usbHelper();
  try {
    const client = await h.connect();
    const r = await client.usbMount({ uuid: UUID.usb!, name: "backup", fstype: "ext4" });
    client.close();
    const device = join(h.dirs.byIdDir, "usb-SanDisk_Ultra_4C530001230110111084-0:0-part1");
    const byUuid = join(h.dirs.byIdDir, "..", "by-uuid", UUID.usb!); // the filesystem, not the device
    const unit = `${escapePath(h.where("backup"))}.mount`;
    assert.deepEqual(r, { name: "backup", unit, where: h.where("backup"), device });
    const text = await readFile(h.unitFile("backup"), "utf8");
    assert.equal(
      text,
      `${UNIT_MARKER}\n[Unit]\nDescription=felhom USB disk backup\n\n[Mount]\nWhat=${byUuid}\nWhere=${h.where("backup")}\n` +
        "Type=ext4\nOptions=nosuid,nodev,noexec,nofail\nTimeoutSec=30\n\n[Install]\nWantedBy=multi-user.target\n",
    );
    assert.equal((await stat(h.unitFile("backup"))).mode & 0o777, 0o644);
    assert.equal((await stat(h.unitFile("backup"))).nlink, 1); // the temp name is gone
    const calls = await h.fake.calls();
    assert.deepEqual(
      calls.map((c) => [c.tool, ...c.argv]),
      [
        ["lsblk", ...argv.lsblk(h.fake.tools).slice(1)],
        ["systemctl", "daemon-reload"],
        ["systemctl", "enable", "--now", "--", unit],
      ],
    );
    for (const c of calls) assert.deepEqual(c.env, CLEAN_ENV);
  } finally {
    await h.close();
  }
});

test("usb.mount – ineligible devices are refused before any unit is written or systemctl runs", async () => {
  const h = await usbHelper();
  try {
    const client = await h.connect();
    const cases: Array<[string, string, "ext4" | "xfs" | "vfat" | "btrfs" | "ntfs3", string]> = [
      ["sata", UUID.sata!, "ext4", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["nvme", UUID.nvme!, "vfat", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["lvm", UUID.lvm!, "ext4", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["zvol", UUID.zvol!, "ext4", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["dup", UUID.dup!, "ext4", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["mounted", UUID.mounted!, "xfs", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["fstype", UUID.usb!, "btrfs", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["nolink", UUID.ntfs!, "ntfs3", "HELPER_DEVICE_NOT_ELIGIBLE"],
      ["absent", "deadbeef-0000-4000-8000-000000000000", "ext4", "HELPER_NOT_FOUND"],
    ];
    for (const [name, uuid, fstype, expected] of cases)
      await assert.rejects(client.usbMount({ uuid, name, fstype }), code(expected), name);
    client.close();
    assert.ok((await h.fake.calls()).every((c) => c.tool === "lsblk"));
    for (const [name] of cases) await assert.rejects(lstat(h.unitFile(name)));
  } finally {
    await h.close();
  }
});

test("usb.mount – a unit it did not write is NOT_OWNED, its own is ALREADY_EXISTS; nothing runs", async () => {
  const h = await usbHelper();
  try {
    await writeFile(h.unitFile("admin"), "[Mount]\nWhat=/dev/sdz1\n");
    await writeFile(h.unitFile("mine"), `${UNIT_MARKER}\n[Mount]\n`);
    await symlink("/etc/passwd", h.unitFile("link"));
    const client = await h.connect();
    const p = { uuid: UUID.usb!, fstype: "ext4" as const };
    await assert.rejects(client.usbMount({ ...p, name: "admin" }), code("HELPER_NOT_OWNED"));
    await assert.rejects(client.usbMount({ ...p, name: "link" }), code("HELPER_NOT_OWNED"));
    await assert.rejects(client.usbMount({ ...p, name: "mine" }), code("HELPER_ALREADY_EXISTS"));
    client.close();
    assert.deepEqual(await h.fake.calls(), []);
    assert.equal(await readFile(h.unitFile("admin"), "utf8"), "[Mount]\nWhat=/dev/sdz1\n");
  } finally {
    await h.close();
  }
});

test("usb.mount – when enable fails the unit is rolled back (disable, remove, reload)", async () => {
  const h = await usbHelper({
    rules: { systemctl: [{ when: ["enable"], exitCode: 1, stderr: "Job failed" }] },
  });
  try {
    const client = await h.connect();
    await assert.rejects(
      client.usbMount({ uuid: UUID.whole!, name: "stick", fstype: "vfat" }),
      code("HELPER_TOOL_FAILED"),
    );
    client.close();
    await assert.rejects(lstat(h.unitFile("stick")));
    const unit = `${escapePath(h.where("stick"))}.mount`;
    assert.deepEqual(
      (await h.fake.calls()).map((c) => c.argv.join(" ")),
      [
        argv.lsblk(h.fake.tools).slice(1).join(" "),
        "daemon-reload",
        `enable --now -- ${unit}`,
        `disable --now -- ${unit}`,
        "daemon-reload",
      ],
    );
  } finally {
    await h.close();
  }
});

test("usb.unmount – disables and removes only its own unit; foreign is NOT_OWNED, absent NOT_FOUND", async () => {
  const h = await usbHelper();
  try {
    const client = await h.connect();
    const mounted = await client.usbMount({ uuid: UUID.usb!, name: "backup", fstype: "ext4" });
    await h.fake.clearCalls();
    await writeFile(h.unitFile("admin"), "[Mount]\n");
    await assert.rejects(client.usbUnmount({ name: "admin" }), code("HELPER_NOT_OWNED"));
    await assert.rejects(client.usbUnmount({ name: "nothing" }), code("HELPER_NOT_FOUND"));
    assert.deepEqual(await h.fake.calls(), []);
    assert.deepEqual(await client.usbUnmount({ name: "backup" }), {
      name: "backup",
      unit: mounted.unit,
    });
    client.close();
    assert.deepEqual(
      (await h.fake.calls()).map((c) => c.argv.join(" ")),
      [`disable --now -- ${mounted.unit}`, "daemon-reload"],
    );
    await assert.rejects(lstat(h.unitFile("backup")));
    assert.equal(await readFile(h.unitFile("admin"), "utf8"), "[Mount]\n");
  } finally {
    await h.close();
  }
});

test("usb.mount – concurrent mount requests are serialised", async () => {
  const h = await usbHelper({ rules: { systemctl: [{ when: ["enable"], delayMs: 150 }] } });
  try {
    const [a, b] = [await h.connect(), await h.connect()];
    const results = await Promise.allSettled([
      a.usbMount({ uuid: UUID.usb!, name: "one", fstype: "ext4" }),
      b.usbMount({ uuid: UUID.whole!, name: "two", fstype: "vfat" }),
    ]);
    a.close();
    b.close();
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "fulfilled"],
    );
    const order = (await h.fake.calls()).map((c) => c.argv[0]);
    assert.deepEqual(order, [
      "--json",
      "daemon-reload",
      "enable",
      "--json",
      "daemon-reload",
      "enable",
    ]);
  } finally {
    await h.close();
  }
});

test("hw.smart – a missing device, a symlink or a regular file is refused and nothing runs", async () => {
  const h = await startTestHelper();
  try {
    await symlink("/dev/null", join(h.dirs.devDir, "sdb"));
    await writeFile(join(h.dirs.devDir, "sdc"), "");
    const client = await h.connect();
    await assert.rejects(client.smart({ device: "/dev/sda" }), code("HELPER_NOT_FOUND"));
    await assert.rejects(client.smart({ device: "/dev/sdb" }), code("HELPER_DEVICE_NOT_ELIGIBLE"));
    await assert.rejects(client.smart({ device: "/dev/sdc" }), code("HELPER_DEVICE_NOT_ELIGIBLE"));
    client.close();
    assert.deepEqual(await h.fake.calls(), []);
  } finally {
    await h.close();
  }
});

test("hw.smart – real block devices: smartctl argv, fixtures decoded, and the real smartctl's error shape", async (t) => {
  if (!isRoot) return t.skip("needs root to mknod block device nodes");
  const h = await startTestHelper({
    rules: {
      smartctl: [
        { when: ["/dev/sda"], stdoutFile: fixturePath("smartctl-sata-ssd.txt") },
        { when: ["/dev/sdb"], stdoutFile: fixturePath("smartctl-hdd-failing.txt"), exitCode: 88 },
        { when: ["/dev/nvme0n1"], stdoutFile: fixturePath("smartctl-nvme.txt") },
        { when: ["/dev/sdd"], stdout: "Smartctl: garbage", exitCode: 4 },
      ],
    },
  });
  try {
    for (const [node, major, minor] of [
      ["sda", 8, 0],
      ["sdb", 8, 16],
      ["sdd", 8, 48],
      ["nvme0n1", 259, 0],
      ["sdzz", 65, 240],
    ] as const)
      assert.equal(
        (
          await run("/usr/bin/mknod", [
            join(h.dirs.devDir, node),
            "b",
            String(major),
            String(minor),
          ])
        ).code,
        0,
      );
    const client = await h.connect();
    assert.equal((await client.smart({ device: "/dev/sda" })).model, "Samsung SSD 870 EVO 1TB");
    const hdd = await client.smart({ device: "/dev/sdb" });
    assert.deepEqual([hdd.health, hdd.exitStatus], ["FAILED", 88]);
    assert.equal((await client.smart({ device: "/dev/nvme0n1" })).nvmeHealth?.powerOnHours, 4321);
    await assert.rejects(client.smart({ device: "/dev/sdd" }), code("HELPER_TOOL_OUTPUT_INVALID"));
    const calls = await h.fake.calls();
    assert.deepEqual(calls[0]?.argv, ["--json=c", "--all", "--", "/dev/sda"]);
    assert.deepEqual(calls[0]?.env, CLEAN_ENV);
    client.close();
  } finally {
    await h.close();
  }
});

test("hw.smart – the real smartctl on a device node with no disk behind it: UNKNOWN with the open bit", async (t) => {
  if (!isRoot) return t.skip("needs root to mknod a block device node");
  const h = await startTestHelper();
  try {
    const real = "/usr/sbin/smartctl";
    if ((await run("/usr/bin/test", ["-x", real])).code !== 0)
      return t.skip("smartmontools is not installed");
    // The helper checks devDir/sdzz; smartctl is given /dev/sdzz, which no machine has.
    assert.equal(
      (await run("/usr/bin/mknod", [join(h.dirs.devDir, "sdzz"), "b", "65", "240"])).code,
      0,
    );
    await writeFile(h.fake.tools.smartctl, `#!/bin/sh\nexec ${real} "$@"\n`);
    const client = await h.connect();
    const r = await client.smart({ device: "/dev/sdzz" });
    client.close();
    assert.equal(r.health, "UNKNOWN");
    assert.equal(r.exitStatus & 2, 2);
    assert.ok(r.warnings.includes("device-open-failed"));
  } finally {
    await h.close();
  }
});

test("hw.sensors – sensors -j readings, {} with exit 1, invalid JSON and failure", async () => {
  const h = await startTestHelper({
    rules: { sensors: [{ stdoutFile: fixturePath("sensors-coretemp-drivetemp.txt") }] },
  });
  try {
    const client = await h.connect();
    assert.deepEqual(
      (await client.sensors()).readings.map((r) => [r.label, r.value]),
      [
        ["Package id 0", 55],
        ["temp1", 41],
      ],
    );
    await h.fake.setRules({
      sensors: [
        { stdoutFile: fixturePath("sensors-none.txt"), stderr: "No sensors found!\n", exitCode: 1 },
      ],
    });
    assert.deepEqual(await client.sensors(), { readings: [] });
    await h.fake.setRules({ sensors: [{ stdoutFile: fixturePath("sensors-invalid.txt") }] });
    await assert.rejects(client.sensors(), code("HELPER_TOOL_OUTPUT_INVALID"));
    await h.fake.setRules({ sensors: [{ exitCode: 2, stderr: "boom" }] });
    await assert.rejects(client.sensors(), code("HELPER_TOOL_FAILED"));
    // No hwmon class in sysfs (a host in a VM): no sensors, and sensors is not run (Debian 13's fails there).
    await rm(join(h.dirs.sysDir, "class", "hwmon"), { recursive: true });
    assert.deepEqual(await client.sensors(), { readings: [] });
    client.close();
    const calls = await h.fake.calls();
    assert.ok(calls.length === 4 && calls.every((c) => c.argv.join(" ") === "-j"));
  } finally {
    await h.close();
  }
});

test("hw.sensors – the real sensors binary over a fake hwmon tree (private mount namespace)", async (t) => {
  if (!isRoot) return t.skip("needs root for a private mount namespace");
  if ((await run("/usr/bin/test", ["-x", "/usr/bin/sensors"])).code !== 0)
    return t.skip("lm-sensors is not installed");
  const h = await startTestHelper();
  try {
    const script = [
      "#!/bin/sh",
      "exec /usr/bin/unshare --mount --propagation private /bin/sh -c '",
      "mount -t tmpfs tmpfs /sys/class",
      "mkdir -p /sys/class/hwmon/hwmon0 /sys/class/hwmon/hwmon1",
      "echo drivetemp > /sys/class/hwmon/hwmon0/name",
      "echo 41000 > /sys/class/hwmon/hwmon0/temp1_input; echo 70000 > /sys/class/hwmon/hwmon0/temp1_crit",
      "echo nct6798 > /sys/class/hwmon/hwmon1/name; echo SYSTIN > /sys/class/hwmon/hwmon1/temp1_label",
      "echo 36000 > /sys/class/hwmon/hwmon1/temp1_input; echo 80000 > /sys/class/hwmon/hwmon1/temp1_max",
      "echo 1204 > /sys/class/hwmon/hwmon1/fan2_input; echo 872 > /sys/class/hwmon/hwmon1/in0_input",
      `exec /usr/bin/sensors "$@"' sh "$@"`,
      "",
    ].join("\n");
    await writeFile(h.fake.tools.sensors, script);
    const client = await h.connect();
    const { readings } = await client.sensors();
    client.close();
    const view = readings.map((r) => `${r.kind} ${r.label} ${r.value} ${r.unit}`).sort();
    assert.deepEqual(view, [
      "fan fan2 1204 RPM",
      "temp SYSTIN 36 °C",
      "temp temp1 41 °C",
      "voltage in0 0.872 V",
    ]);
    assert.equal(readings.find((r) => r.label === "SYSTIN")?.max, 80);
    assert.equal(readings.find((r) => r.label === "temp1")?.crit, 70);
  } finally {
    await h.close();
  }
});

test("usb.mount – vfat, exfat and ntfs3 units carry the agent's uid and gid and umask 0027; What= is by UUID", async () => {
  const h = await usbHelper({
    agent: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
  });
  try {
    const client = await h.connect();
    await client.usbMount({ uuid: UUID.whole!, name: "stick", fstype: "vfat" });
    client.close();
    const text = await readFile(h.unitFile("stick"), "utf8");
    const [uid, gid] = [process.getuid?.() ?? 0, process.getgid?.() ?? 0];
    assert.match(
      text,
      new RegExp(`^Options=nosuid,nodev,noexec,nofail,uid=${uid},gid=${gid},umask=0027$`, "m"),
    );
    assert.match(
      text,
      new RegExp(`^What=${join(h.dirs.byIdDir, "..", "by-uuid", UUID.whole!)}$`, "m"),
    );
  } finally {
    await h.close();
  }
});
