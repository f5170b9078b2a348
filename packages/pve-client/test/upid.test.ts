// Strict UPID parsing (PVE's Perl format), token ids kept, and path encoding.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { PveArgumentError, Upid, parseUpid } from "@felhom/pve-client";

test("parseUpid – decodes every field of a token-started task", () => {
  const u = parseUpid("UPID:pve1:0003D9F0:012A3B4C:6650A1B2:vzdump:101:automation@pve!ci:");
  assert.ok(u instanceof Upid);
  assert.equal(u.node, "pve1");
  assert.equal(u.pid, 0x3d9f0);
  assert.equal(u.pstart, 0x12a3b4c);
  assert.equal(u.starttime, 0x6650a1b2);
  assert.equal(u.type, "vzdump");
  assert.equal(u.id, "101");
  assert.equal(u.vmid, 101);
  assert.equal(u.user, "automation@pve");
  assert.equal(u.tokenid, "ci");
  assert.equal(u.authId, "automation@pve!ci");
  assert.equal(u.toString(), "UPID:pve1:0003D9F0:012A3B4C:6650A1B2:vzdump:101:automation@pve!ci:");
  assert.equal(JSON.stringify({ u }), `{"u":"${u.raw}"}`);
});

test("parseUpid – accepts an empty id, 9-digit pstart and lower-case hex", () => {
  const u = parseUpid("UPID:node-a:0001a2b3:1c0ffee00:6650a1b2:vzdump::root@pam:");
  assert.equal(u.id, "");
  assert.equal(u.vmid, undefined);
  assert.equal(u.pstart, 0x1c0ffee00);
  assert.equal(u.user, "root@pam");
  assert.equal(u.tokenid, undefined);
});

test("parseUpid – refuses anything that is not a PVE UPID", () => {
  const bad = [
    "",
    "UPID:pve1:0001A2B3:00C0FFEE:6650A1B2:vzcreate:101:root@pam", // no trailing colon
    "UPID:pve1:1A2B3:00C0FFEE:6650A1B2:vzcreate:101:root@pam:", // short pid
    "UPID:-pve:0001A2B3:00C0FFEE:6650A1B2:vzcreate:101:root@pam:", // bad node
    "UPID:pve1:0001A2B3:00C0FFEE:6650A1B2:vz/create:101:root@pam:",
    "UPID:pve1:0001A2B3:00C0FFEE:6650A1B2:vzcreate:1 01:root@pam:",
    // proxmox-rs (PBS) format has 9 fields
    "UPID:pbs:000003E8:0000A0B1:00000001:6650A1B2:backup:store1:root@pam:",
  ];
  for (const s of bad) assert.throws(() => parseUpid(s), PveArgumentError, s);
});

test("Upid – encoded is a single path segment that decodes back", () => {
  const u = parseUpid("UPID:pve:00001234:00005678:6650A1B2:vzstart:100:felhom@pve!agent:");
  assert.ok(!u.encoded.includes(":") && !u.encoded.includes("/"));
  assert.equal(decodeURIComponent(u.encoded), u.raw);
});

test("parseUpid – round-trips every value PVE's encoder can produce", () => {
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, "0");
  const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?$/);
  const field = fc.stringMatching(/^[^:\s/]{1,12}$/);
  fc.assert(
    fc.property(
      label,
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xfffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      field,
      fc.oneof(fc.constant(""), field),
      field,
      (node, pid, pstart, start, type, id, user) => {
        const raw = `UPID:${node}:${hex(pid, 8)}:${hex(pstart, 8)}:${hex(start, 8)}:${type}:${id}:${user}:`;
        const u = parseUpid(raw);
        assert.equal(u.raw, raw);
        assert.equal(u.pid, pid);
        assert.equal(u.pstart, pstart);
        assert.equal(u.starttime, start);
        assert.equal(u.id, id);
        assert.equal(u.type, type);
      },
    ),
  );
});
