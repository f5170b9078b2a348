// The compiled record parser's combinators beyond plain records: maps with arbitrary keys, lenient kinds,
// keys gathered into maps, the treatment of keys a spec does not name, and the answers built on them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ShapeIssue } from "@felhom/pve-client";
import { mapOf, record, t } from "../src/schemas/record.js";
import { parseLxcConfig, parseQemuConfig } from "../src/schemas/guest-config.js";
import { parsePermissions, parseRrd, parseVersion } from "../src/schemas/node.js";

function run<T>(parse: (i: unknown, p: (string | number)[], s: ShapeIssue[]) => T, input: unknown) {
  const issues: ShapeIssue[] = [];
  const out = parse(input, ["data"], issues);
  return { out, issues };
}

test("mapOf – checks every value and names the offending key; null is required, not dropped", () => {
  assert.deepEqual(run(mapOf(t.number), { a: "1", b: 2 }).out, { a: 1, b: 2 });
  const bad = run(mapOf(t.number), { a: 1, b: "x", c: null });
  assert.equal(bad.out, undefined);
  assert.deepEqual(
    bad.issues.map((i) => [i.path.join("."), i.message]),
    [
      ["data.b", 'expected number, got "x"'],
      ["data.c", "required"],
    ],
  );
  assert.equal(run(mapOf(t.number), [1, 2]).out, undefined);
});

test("permissions – a nested map: path → privilege → boolean, a non-boolean is an issue at its path", () => {
  assert.deepEqual(run(parsePermissions, { "/": { "Sys.Audit": "1" } }).out, {
    "/": { "Sys.Audit": true },
  });
  const bad = run(parsePermissions, { "/vms/100": { "VM.Audit": 1, "VM.Backup": "maybe" } });
  assert.equal(bad.out, undefined);
  assert.deepEqual(bad.issues[0]?.path, ["data", "/vms/100", "VM.Backup"]);
  assert.equal(run(parsePermissions, null).out, undefined);
});

test("lenient kinds – an unconvertible value is dropped, never an issue; strict kinds still report it", () => {
  const spec = { cores: t.lenient.number, onboot: t.lenient.boolean, name: t.lenient.string };
  const { out, issues } = run(record(spec), { cores: "many", onboot: "perhaps", name: ["x"] });
  assert.deepEqual(out, {});
  assert.deepEqual(issues, []);
  assert.deepEqual(run(record(spec), { cores: "2", onboot: "on", name: 7 }).out, {
    cores: 2,
    onboot: true,
    name: "7",
  });
  assert.equal(run(record({ cores: t.opt.number }), { cores: "many" }).out, undefined);
});

test("lenient.from – converts strings (and numbers as strings); undefined or another type drops it", () => {
  const half = t.lenient.from((s) => (s === "" ? undefined : s.length / 2));
  const parse = record({ a: half, b: half, c: half, d: half });
  assert.deepEqual(run(parse, { a: "abcd", b: 12, c: "", d: { x: 1 } }).out, { a: 2, b: 1 });
});

test("indexed and keyed – matching keys are gathered into maps that are always present", () => {
  const parse = record(
    {
      net: t.indexed(
        "net",
        t.lenient.from((s) => s.toUpperCase()),
      ),
      disks: t.keyed(
        /^(?:scsi|ide)\d+$/,
        t.lenient.from((s) => s),
      ),
    },
    { others: "drop" },
  );
  const { out } = run(parse, { net0: "a", net12: "b", net1: null, scsi0: "v0", ide2: "cd", x: 1 });
  assert.deepEqual(out, { net: { 0: "A", 12: "B" }, disks: { scsi0: "v0", ide2: "cd" } });
  assert.deepEqual(run(parse, {}).out, { net: {}, disks: {} });
  const strict = record({ net: t.indexed("net", t.number) });
  const bad = run(strict, { net0: "x" });
  assert.equal(bad.out, undefined);
  assert.deepEqual(bad.issues[0]?.path, ["data", "net0"]);
});

test("others – keys a spec does not name are kept, dropped or checked by one field", () => {
  const input = () => ({ id: "1", extra: "yes", n: "3" });
  assert.deepEqual(run(record({ id: t.number }), input()).out, { id: 1, extra: "yes", n: "3" });
  assert.deepEqual(run(record({ id: t.number }, { others: "drop" }), input()).out, { id: 1 });
  assert.deepEqual(run(record({ id: t.number }, { others: t.lenient.number }), input()).out, {
    id: 1,
    n: 3,
  });
});

test("version – the four keys, others left out", () => {
  assert.deepEqual(
    run(parseVersion, { version: "8.2.4", release: "8.2", repoid: "faa83925", extra: 1 }).out,
    { version: "8.2.4", release: "8.2", repoid: "faa83925" },
  );
  assert.equal(run(parseVersion, { version: "8.2.4" }).out, undefined);
});

test("rrd – numeric series kept, other values dropped, null is no samples, time is required", () => {
  assert.deepEqual(
    run(parseRrd, [
      { time: "100", cpu: "0.5", mem: null, note: "x" },
      { time: 160, cpu: 0.25 },
    ]).out,
    [
      { time: 100, cpu: 0.5 },
      { time: 160, cpu: 0.25 },
    ],
  );
  assert.deepEqual(run(parseRrd, null).out, []);
  const missing = run(parseRrd, [{ cpu: 1 }]);
  assert.equal(missing.out, undefined);
  assert.deepEqual(missing.issues[0]?.path, ["data", 0, "time"]);
  assert.equal(run(parseRrd, {}).out, undefined);
});

test("guest configs – lenient: a non-numeric cores is left out, raw keeps every key as sent", () => {
  const sent = { cores: "lots", memory: "512", net0: "name=eth0,bridge=vmbr0", parent: "snap1" };
  const { out, issues } = run(parseLxcConfig, sent);
  assert.deepEqual(issues, []);
  assert.ok(out);
  assert.equal(out.cores, undefined);
  assert.equal(out.memory, 512);
  assert.deepEqual(out.net, { 0: { name: "eth0", bridge: "vmbr0" } });
  assert.deepEqual(out.mp, {});
  assert.equal("parent" in out, false);
  assert.equal("net0" in out, false);
  assert.equal(out.raw, sent);
  assert.deepEqual(sent, {
    cores: "lots",
    memory: "512",
    net0: "name=eth0,bridge=vmbr0",
    parent: "snap1",
  });
  for (const bad of [null, [], "x"]) assert.equal(run(parseQemuConfig, bad).out, undefined);
});
