// Response normalisation at the boundary: numbers as strings, 0/1 and on/off booleans, null fields, lists,
// and issues that point at the offending item and field.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ShapeIssue } from "@felhom/pve-client";
import { parseLxcList } from "../src/schemas/guests.js";
import { parseClusterResources } from "../src/schemas/resources.js";
import { parseTaskStatus } from "../src/schemas/tasks.js";
import { parseNodeStatus, parsePermissions } from "../src/schemas/node.js";

test("record parser – coerces PVE's wire quirks; null optionals become undefined (absent in JSON)", () => {
  const issues: ShapeIssue[] = [];
  const out = parseLxcList(
    [
      {
        vmid: "101",
        status: "running",
        maxmem: "536870912",
        template: "",
        name: "a",
        lock: null,
        tags: "x;y",
      },
      { vmid: 102, status: "stopped", template: 1, cpus: "2", uptime: 0 },
    ],
    [],
    issues,
  );
  assert.deepEqual(issues, []);
  assert.ok(out);
  assert.equal(out[0]?.lock, undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(out[0])), {
    vmid: 101,
    status: "running",
    maxmem: 536870912,
    template: false,
    name: "a",
    tags: ["x", "y"],
  });
  assert.deepEqual(out[1], { vmid: 102, status: "stopped", template: true, cpus: 2, uptime: 0 });
});

test("record parser – reports the item and field of every problem", () => {
  const issues: ShapeIssue[] = [];
  const out = parseClusterResources(
    [
      { id: "qemu/100", type: "qemu" },
      { type: "lxc", vmid: "abc" },
      { id: "x", type: "node", shared: "maybe" },
    ],
    [],
    issues,
  );
  assert.equal(out, undefined);
  assert.deepEqual(
    issues.map((i) => i.path),
    [
      [1, "id"],
      [1, "vmid"],
      [2, "shared"],
    ],
  );
});

test("record parser – enumerations are strict where PVE's are closed", () => {
  const issues: ShapeIssue[] = [];
  parseTaskStatus(
    {
      upid: "u",
      node: "n",
      pid: 1,
      pstart: 1,
      starttime: 1,
      type: "t",
      id: "",
      user: "u",
      status: "paused",
    },
    [],
    issues,
  );
  assert.equal(issues.length, 1);
  assert.match(issues[0]?.message ?? "", /running\|stopped/);
});

test("node status – numbers as strings, nested records, null for absent", () => {
  const issues: ShapeIssue[] = [];
  const s = parseNodeStatus(
    {
      cpu: "0.05",
      loadavg: ["0.10", "0.20", "0.30"],
      memory: { total: 1024, used: "512", free: 512 },
      swap: null,
      cpuinfo: { cpus: "8", model: "Xeon", mhz: 3400 },
      "boot-info": { mode: "efi", secureboot: 0 },
    },
    [],
    issues,
  );
  assert.deepEqual(issues, []);
  assert.deepEqual(s?.loadavg, [0.1, 0.2, 0.3]);
  assert.equal(s?.memory.used, 512);
  assert.equal(s?.cpuinfo?.cpus, 8);
  assert.equal(s?.cpuinfo?.mhz, "3400");
  assert.equal(s?.swap, undefined);
  assert.equal("swap" in JSON.parse(JSON.stringify(s)), false);
  assert.equal(s?.["boot-info"]?.secureboot, false);
});

test("node status – problems are named by their nested path, all of them", () => {
  const issues: ShapeIssue[] = [];
  const s = parseNodeStatus(
    {
      cpu: 0.1,
      loadavg: ["0.1", "high"],
      memory: { total: "lots" },
      cpuinfo: "8 cores",
      "boot-info": { mode: "efi", secureboot: "maybe" },
    },
    ["data"],
    issues,
  );
  assert.equal(s, undefined);
  assert.deepEqual(
    issues.map((i) => i.path.join(".")),
    [
      "data.loadavg",
      "data.memory.used",
      "data.memory.total",
      "data.cpuinfo",
      "data.boot-info.secureboot",
    ],
  );
  assert.match(issues[0]?.message ?? "", /array of numbers/);
});

test("record parser – permissions booleans", () => {
  assert.deepEqual(parsePermissions({ "/vms": { "VM.Audit": 1, "VM.PowerMgmt": 0 } }, [], []), {
    "/vms": { "VM.Audit": true, "VM.PowerMgmt": false },
  });
});

test("record parser – items in different key orders, and with many unknown keys, are each checked by their own keys", () => {
  const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, i]));
  const items = [
    { id: "qemu/1", type: "qemu", vmid: "1", template: 0 },
    { vmid: "2", template: "1", type: "qemu", id: "qemu/2" },
    { template: 1, id: "qemu/3", vmid: 3, type: "qemu" },
    { ...many, id: "qemu/4", type: "qemu", vmid: "4", tags: "a;b" },
    { id: "qemu/5", type: "qemu", vmid: "5", ...many, template: "0" },
  ];
  const issues: ShapeIssue[] = [];
  const out = parseClusterResources(items, [], issues);
  assert.deepEqual(issues, []);
  assert.deepEqual(
    out?.map((r) => [r.vmid, r.template, r.tags]),
    [
      [1, false, undefined],
      [2, true, undefined],
      [3, true, undefined],
      [4, undefined, ["a", "b"]],
      [5, false, undefined],
    ],
  );
  const bad: ShapeIssue[] = [];
  parseClusterResources(
    [
      { id: "a", type: "qemu", vmid: "x" },
      { vmid: 1, id: 2 },
    ],
    [],
    bad,
  );
  assert.deepEqual(
    bad.map((i) => i.path.join(".")),
    ["0.vmid", "1.type"],
  );
});
