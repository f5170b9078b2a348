// The coalescing audit log: repeats within a window become one summary line (count, first and last time); a
// mutating call that was not denied is always written at once; unknown method names cannot defeat coalescing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { coalescingAudit, HelperErrorCode, type AuditLine } from "@felhom/helper-protocol";

const peer = { pid: 1, uid: 999, gid: 999 };
const line = (time: string, fields: Partial<AuditLine>): AuditLine => ({
  time,
  peer,
  method: "helper.hello",
  decision: "ok",
  ...fields,
});

test("audit – repeats are counted and summarised when the window ends; mutating calls never are", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const out: Array<Record<string, unknown>> = [];
  const log = coalescingAudit((l) => out.push(JSON.parse(l) as Record<string, unknown>), 1000);
  for (let i = 0; i < 500; i++) log.write(line(`t${i}`, { params: {} }));
  for (let i = 0; i < 50; i++)
    log.write(
      line(`u${i}`, {
        method: `x.${i}`,
        decision: "denied",
        code: HelperErrorCode.METHOD_NOT_FOUND,
      }),
    );
  const mount = { method: "usb.mount", params: { name: "b" }, exec: [] };
  for (let i = 0; i < 3; i++) log.write(line(`m${i}`, mount));
  for (let i = 0; i < 3; i++)
    log.write(line(`d${i}`, { method: "usb.mount", decision: "denied", code: -32602 }));
  assert.deepEqual(
    out.map((o) => o.time),
    ["t0", "u0", "m0", "m1", "m2", "d0"],
  );
  t.mock.timers.tick(1000);
  const summaries = out.slice(6).map((o) => [o.method, o.repeated, o.first, o.last]);
  assert.deepEqual(summaries, [
    ["helper.hello", 499, "t1", "t499"],
    ["x.0", 49, "u1", "u49"],
    ["usb.mount", 2, "d1", "d2"],
  ]);
  log.write(line("n0", { params: {} })); // a new window writes the first line again
  assert.equal(out.at(-1)?.time, "n0");
});
