// Request validation against the extracted schema, with PVE's error texts (pve-common JSONSchema.pm).
import assert from "node:assert/strict";
import { test } from "node:test";
import { findOperation, loadSchema } from "../src/schema-data.js";
import { compilePerlPattern } from "../src/schema/perl-regex.js";
import { validateParams } from "../src/schema/validate-params.js";
import type { JsonSchema } from "../src/schema/types.js";

const params = (method: string, path: string): JsonSchema => {
  const op = findOperation(method, path);
  assert.ok(op, `${method} ${path} in the extract`);
  return op.parameters;
};
const lxcPut = params("PUT", "/nodes/{node}/lxc/{vmid}/config");
const lxcCreate = params("POST", "/nodes/{node}/lxc");
const errorsOf = (schema: JsonSchema, input: Record<string, unknown>): Record<string, string> => {
  const r = validateParams(schema, input);
  assert.equal(r.ok, false, "expected a validation failure");
  return r.ok ? {} : r.errors;
};

test("validation – unknown parameter gets PVE's additionalProperties message", () => {
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", bogus: "1" }), {
    bogus: "property is not defined in schema and the schema does not allow additional properties",
  });
});

test("validation – missing required, type and range errors", () => {
  const e = errorsOf(lxcCreate, { node: "pve", vmid: "99", memory: "abc", cores: "0", tty: "7" });
  assert.equal(e.ostemplate, "property is missing and it is not optional");
  assert.equal(
    e.vmid,
    "invalid format - value does not look like a valid VM ID\n",
    "format is checked before range",
  );
  assert.equal(e.tty, "value must have a maximum value of 6");
  assert.equal(e.memory, "type check ('integer') failed - got 'abc'");
  assert.equal(e.cores, "value must have a minimum value of 1");
});

test("validation – booleans are 0/1 on the wire, true/false only as JSON values", () => {
  assert.equal(validateParams(lxcPut, { node: "pve", vmid: "100", onboot: "1" }).ok, true);
  assert.equal(validateParams(lxcPut, { node: "pve", vmid: "100", onboot: true }).ok, true);
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", onboot: "true" }), {
    onboot: "type check ('boolean') failed - got 'true'",
  });
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", memory: true }), {
    memory: "type check ('integer') failed - got JSON::PP::Boolean",
  });
  const ok = validateParams(lxcPut, { node: "pve", vmid: "100", onboot: false, memory: 1024 });
  assert.ok(ok.ok && ok.params.onboot === 0 && ok.params.memory === 1024);
});

test("validation – arrays and objects where strings are expected", () => {
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", hostname: ["a", "b"] }), {
    hostname: "type check ('string') failed - got ARRAY",
  });
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", hostname: { a: 1 } }), {
    hostname: "type check ('string') failed - got HASH",
  });
});

test("validation – indexed keys map to net[n] / mp[n] within the real API's limits", () => {
  assert.equal(
    validateParams(lxcPut, { node: "pve", vmid: "100", net31: "name=eth1,bridge=vmbr0" }).ok,
    true,
  );
  assert.equal(
    validateParams(lxcPut, { node: "pve", vmid: "100", mp255: "local-lvm:8,mp=/x" }).ok,
    true,
  );
  assert.match(
    errorsOf(lxcPut, { node: "pve", vmid: "100", net32: "name=eth1" }).net32 ?? "",
    /not defined in schema/,
  );
  assert.match(
    errorsOf(lxcPut, { node: "pve", vmid: "100", net01: "name=eth1" }).net01 ?? "",
    /not defined in schema/,
  );
});

test("validation – property strings: unknown keys, nested errors, missing keys", () => {
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", net0: "name=eth0,colour=red" }), {
    net0: "invalid format - invalid key in comma-separated list property: colour\n",
  });
  assert.deepEqual(
    errorsOf(lxcPut, { node: "pve", vmid: "100", net0: "bridge=vmbr0,hwaddr=01:00:00:00:00:01" }),
    {
      // Perl appends "\n" to a nested message that already ends in one, hence the blank line.
      net0: "invalid format - format error\nnet0.hwaddr: invalid format - value does not look like a valid unicast MAC address\n\nnet0.name: property is missing and it is not optional\n",
    },
  );
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", features: "nesting=maybe" }), {
    features:
      "invalid format - format error\nfeatures.nesting: type check ('boolean') failed - got 'maybe'\n",
  });
  assert.equal(
    validateParams(lxcPut, { node: "pve", vmid: "100", features: "nesting=on,keyctl=yes" }).ok,
    true,
  );
});

test("validation – named formats and enums", () => {
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", hostname: "-bad-" }), {
    hostname: "invalid format - value does not look like a valid DNS name\n",
  });
  assert.deepEqual(errorsOf(lxcPut, { node: "pve", vmid: "100", ostype: "windows" }), {
    ostype:
      "value 'windows' does not have a value in the enumeration 'debian, devuan, ubuntu, centos, fedora, opensuse, archlinux, alpine, gentoo, nixos, unmanaged'",
  });
  assert.deepEqual(errorsOf(lxcPut, { node: "bad_node", vmid: "100" }), {
    node: "invalid format - value does not look like a valid node name\n",
  });
  const vz = params("POST", "/nodes/{node}/vzdump");
  assert.deepEqual(errorsOf(vz, { vmid: "100,12" }), {
    vmid: "invalid format - value does not look like a valid VM ID\n",
  });
  assert.equal(validateParams(vz, { vmid: "100,101 102" }).ok, true);
});

test("validation – `requires`: unique needs restore", () => {
  assert.deepEqual(
    errorsOf(lxcCreate, {
      node: "pve",
      vmid: "105",
      ostemplate: "local:backup/x.tar",
      unique: "1",
    }),
    {
      restore: "missing property required by 'unique'",
    },
  );
});

test("schema – every pattern of the slice compiles as JavaScript", () => {
  const patterns = new Set<string>();
  const walk = (x: unknown): void => {
    if (!x || typeof x !== "object") return;
    const s = x as Record<string, unknown>;
    if (typeof s.pattern === "string") patterns.add(s.pattern);
    for (const v of Object.values(s)) walk(v);
  };
  walk(loadSchema());
  assert.ok(patterns.size > 20);
  for (const p of patterns) assert.doesNotThrow(() => compilePerlPattern(p), p);
});

test("perl regex – qr// groups, case-insensitive groups and atomic groups", () => {
  assert.ok(compilePerlPattern("(?^:\\d+(?:;\\d+)*)").test("1;2;3"));
  assert.ok(!compilePerlPattern("(?^:\\d+(?:;\\d+)*)").test("1;2;"));
  assert.ok(compilePerlPattern("(?^i:abc)").test("ABC"));
  const atomic = compilePerlPattern("(?^:^((?>[+-]?[\\w\\-\\._=]+,?)+)$)");
  assert.ok(atomic.test("+aes,-pcid,flag=1"));
  assert.ok(!atomic.test("a,b!"));
  const start = process.hrtime.bigint();
  assert.ok(!atomic.test(`${"a".repeat(40)}!`));
  assert.ok(process.hrtime.bigint() - start < 2_000_000_000n, "no catastrophic backtracking");
});
