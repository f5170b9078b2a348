// The pure readers of tool output: smartctl JSON and its exit bitmask, sensors -j (valid, invalid, empty), and the
// USB eligibility decision over a realistic lsblk listing (USB, SATA, NVMe, LVM, zvol, loop, duplicate UUID).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HelperFailure } from "@felhom/helper-protocol";
import { smartResult } from "../src/smart.js";
import { parseSensors } from "../src/sensors.js";
import { eligibleDevice } from "../src/usb-device.js";
import { fixture, fixturePath } from "@felhom/test-support/fake-tools";

const failure = (name: string) => (err: unknown) =>
  err instanceof HelperFailure && err.failure === name;
const UUID = JSON.parse(readFileSync(fixturePath("uuids.json"), "utf8")) as Record<string, string>;

test("smart – healthy SATA SSD: verdict, identity, temperature, hours and every ATA attribute", () => {
  const r = smartResult("/dev/sda", 0, fixture("smartctl-sata-ssd.txt"));
  assert.equal(r.health, "PASSED");
  assert.equal(r.exitStatus, 0);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.model, "Samsung SSD 870 EVO 1TB");
  assert.equal(r.serial, "S6PTNZ0R123456A");
  assert.equal(r.temperatureC, 32);
  assert.equal(r.powerOnHours, 8123);
  assert.equal(r.nvmeHealth, undefined);
  assert.equal(r.ataAttributes?.length, 6);
  assert.deepEqual(r.ataAttributes?.[0], {
    id: 5,
    name: "Reallocated_Sector_Ct",
    value: 100,
    worst: 100,
    threshold: 10,
    raw: 0,
    failing: false,
  });
  assert.equal(r.ataAttributes?.find((a) => a.id === 241)?.raw, 27412345678);
});

test("smart – failing HDD: FAILED verdict, exit bits 3, 4 and 6 decoded, failing attributes flagged", () => {
  const r = smartResult("/dev/sdb", 88, fixture("smartctl-hdd-failing.txt"));
  assert.equal(r.health, "FAILED");
  assert.equal(r.exitStatus, 88);
  assert.deepEqual(r.warnings, ["disk-failing", "prefail-below-threshold", "error-log"]);
  assert.deepEqual(
    r.ataAttributes?.filter((a) => a.failing).map((a) => [a.id, a.name]),
    [
      [5, "Reallocated_Sector_Ct"],
      [199, "UDMA_CRC_Error_Count"],
    ],
  );
  assert.equal(r.temperatureC, 41);
});

test("smart – NVMe: the health log is mapped, no ATA table", () => {
  const r = smartResult("/dev/nvme0n1", 0, fixture("smartctl-nvme.txt"));
  assert.equal(r.health, "PASSED");
  assert.equal(r.ataAttributes, undefined);
  assert.deepEqual(r.nvmeHealth, {
    criticalWarning: 0,
    temperatureC: 38,
    availableSpare: 100,
    percentageUsed: 2,
    powerOnHours: 4321,
    unsafeShutdowns: 12,
    mediaErrors: 0,
  });
});

test("smart – open failure (exit 2): UNKNOWN verdict with the bit named, nothing else invented", () => {
  const r = smartResult("/dev/sdc", 2, fixture("smartctl-open-error.txt"));
  assert.deepEqual(r, {
    device: "/dev/sdc",
    health: "UNKNOWN",
    exitStatus: 2,
    warnings: ["device-open-failed"],
  });
});

test("smart – exit bit 0, invalid JSON and impossible values are contract errors", () => {
  assert.throws(
    () => smartResult("/dev/sda", 1, fixture("smartctl-open-error.txt")),
    failure("TOOL_FAILED"),
  );
  assert.throws(() => smartResult("/dev/sda", 0, "{not json"), failure("TOOL_OUTPUT_INVALID"));
  const bad = JSON.parse(fixture("smartctl-sata-ssd.txt"));
  bad.ata_smart_attributes.table[0].id = 300;
  assert.throws(
    () => smartResult("/dev/sda", 0, JSON.stringify(bad)),
    failure("TOOL_OUTPUT_INVALID"),
  );
  const ctl = JSON.parse(fixture("smartctl-sata-ssd.txt"));
  ctl.model_name = "Evil\u001b[31m\nModel";
  assert.equal(smartResult("/dev/sda", 0, JSON.stringify(ctl)).model, "Evil[31mModel");
});

test("sensors – the real coretemp/drivetemp output becomes two temperature readings with limits", () => {
  assert.deepEqual(parseSensors(0, fixture("sensors-coretemp-drivetemp.txt")), [
    {
      chip: "coretemp-virtual-0",
      label: "Package id 0",
      kind: "temp",
      value: 55,
      unit: "°C",
      crit: 100,
    },
    { chip: "drivetemp-virtual-0", label: "temp1", kind: "temp", value: 41, unit: "°C", crit: 70 },
  ]);
});

test("sensors – voltage, fan, temperature, power (average) and current; features without a value skipped", () => {
  const readings = parseSensors(0, fixture("sensors-nct6775.txt"));
  assert.deepEqual(
    readings.map((r) => [r.chip, r.label, r.kind, r.value, r.unit, r.min, r.max, r.crit]),
    [
      ["nct6798-isa-0290", "in0", "voltage", 0.872, "V", 0, 1.744, undefined],
      ["nct6798-isa-0290", "fan2", "fan", 1204, "RPM", 0, undefined, undefined],
      ["nct6798-isa-0290", "SYSTIN", "temp", 36, "°C", undefined, 80, undefined],
      ["amdgpu-pci-0c00", "vddgfx", "voltage", 1.405, "V", undefined, undefined, undefined],
      ["amdgpu-pci-0c00", "PPT", "power", 9.132, "W", undefined, undefined, undefined],
      ["amdgpu-pci-0c00", "edge", "temp", 45, "°C", undefined, undefined, 80],
      ["acpi_fan-acpi-0", "curr1", "current", 0.512, "A", undefined, 3, undefined],
    ],
  );
});

test("sensors – no sensors ({} and exit 1) is an empty list; invalid JSON and other failures are errors", () => {
  assert.deepEqual(parseSensors(1, fixture("sensors-none.txt")), []);
  assert.deepEqual(parseSensors(0, "{}"), []);
  assert.throws(
    () => parseSensors(0, fixture("sensors-invalid.txt")),
    failure("TOOL_OUTPUT_INVALID"),
  );
  assert.throws(() => parseSensors(0, "[1,2]"), failure("TOOL_OUTPUT_INVALID"));
  assert.throws(() => parseSensors(1, "garbage"), failure("TOOL_FAILED"));
  assert.throws(() => parseSensors(2, "{}"), failure("TOOL_FAILED"));
});

test("sensors – hostile names are cleaned and bounded; prototype keys are plain data", () => {
  const doc = `{"__proto__":{"Adapter":"x","temp1":{"temp1_input":1}},"c\\u0007hip":{"${"L".repeat(300)}":{"fan1_input":5}}}`;
  const r = parseSensors(0, doc);
  assert.deepEqual(
    r.map((x) => [x.chip, x.label.length, x.kind]),
    [
      ["__proto__", 5, "temp"],
      ["chip", 128, "fan"],
    ],
  );
  assert.equal(({} as Record<string, unknown>).temp1, undefined);
});

const host = fixture("lsblk-host.txt");

test("usb eligibility – a partition of a USB disk and a whole USB disk (superfloppy) are eligible", () => {
  assert.equal(eligibleDevice(host, { uuid: UUID.usb!, fstype: "ext4" }), "sdb1");
  assert.equal(eligibleDevice(host, { uuid: UUID.whole!, fstype: "vfat" }), "sde");
  assert.equal(eligibleDevice(host, { uuid: UUID.ntfs!, fstype: "ntfs3" }), "sdf2");
});

test("usb eligibility – SATA, NVMe, LVM, zvol, loop, duplicate UUID, mounted and wrong fstype are refused", () => {
  const cases: Array<[string, string, "ext4" | "xfs" | "vfat" | "btrfs"]> = [
    ["SATA partition", UUID.sata!, "ext4"],
    ["NVMe partition", UUID.nvme!, "vfat"],
    ["LVM volume", UUID.lvm!, "ext4"],
    ["zvol partition (a guest's filesystem)", UUID.zvol!, "ext4"],
    ["loop device", UUID.loop!, "ext4"],
    ["duplicate UUID (USB partition and a zvol)", UUID.dup!, "ext4"],
    ["mounted USB partition", UUID.mounted!, "xfs"],
    ["USB partition with another filesystem", UUID.usb!, "btrfs"],
  ];
  for (const [what, uuid, fstype] of cases) {
    assert.throws(
      () => eligibleDevice(host, { uuid, fstype }),
      failure("DEVICE_NOT_ELIGIBLE"),
      what,
    );
  }
});

test("usb eligibility – an unknown UUID is NOT_FOUND; output that is not lsblk's shape is invalid", () => {
  assert.throws(
    () => eligibleDevice(host, { uuid: "deadbeef-0000-4000-8000-000000000000", fstype: "ext4" }),
    failure("NOT_FOUND"),
  );
  for (const out of ["", "{", '{"blockdevices":{}}', '{"blockdevices":[{"name":"sdb1"}]}']) {
    assert.throws(
      () => eligibleDevice(out, { uuid: UUID.usb!, fstype: "ext4" }),
      failure("TOOL_OUTPUT_INVALID"),
    );
  }
});

test("usb eligibility – a device whose path is not /dev/NAME, or a USB 'disk' named like a zvol, is refused", () => {
  const doc = JSON.parse(host);
  doc.blockdevices.find((d: { name: string }) => d.name === "sdb1").path = "/dev/../etc/sdb1";
  assert.throws(
    () => eligibleDevice(JSON.stringify(doc), { uuid: UUID.usb!, fstype: "ext4" }),
    failure("DEVICE_NOT_ELIGIBLE"),
  );
  const zd = JSON.parse(host);
  const zdisk = zd.blockdevices.find((d: { name: string }) => d.name === "zd0");
  zdisk.tran = "usb";
  assert.throws(
    () => eligibleDevice(JSON.stringify(zd), { uuid: UUID.zvol!, fstype: "ext4" }),
    failure("DEVICE_NOT_ELIGIBLE"),
  );
});
