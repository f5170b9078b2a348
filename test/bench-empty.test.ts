// A bench measurement that comes out empty or zero is reported as such in its row ("no figure: …"), never a crash
// of the whole run: the rows, the results schema, the table, and the read scenario's rows when the simulator's
// CPU time reads zero (a --quick run crashed once with "simulator ceiling … value is Infinity").
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  describeMachine,
  emptyRow,
  measuredRow,
  NO_FIGURE,
  Results,
  row,
} from "../bench/lib/results.js";
import { renderMisses, renderTable } from "../bench/lib/table.js";
import type { LoadResult } from "../bench/lib/load.js";
import { readRows } from "../bench/scenarios/read-rows.js";
import type { Series } from "../bench/scenarios/read-throughput.js";
import { ENDPOINTS, NARROW_POOL } from "../bench/scenarios/read-clients.js";

const doc = (rows: unknown[]) => ({
  machine: describeMachine(),
  date: new Date().toISOString(),
  mode: "quick",
  scenarios: rows,
});

test("bench rows – a non-finite figure becomes a row without a figure that says why", () => {
  const r = measuredRow({
    name: "n",
    metric: "m",
    unit: "req/s",
    value: Infinity,
    baseline: 10,
    target: { op: ">=", ratio: 1 },
    note: "what it means",
  });
  assert.deepEqual(
    [r.value, r.baseline, r.ratio, r.met, r.note],
    [null, null, null, null, `${NO_FIGURE}value is Infinity; what it means`],
  );
  assert.equal(measuredRow({ name: "n", metric: "m", unit: "ms", value: 2, baseline: 0 }).value, 2);
  assert.match(
    measuredRow({ name: "n", metric: "m", unit: "ms", value: 2, baseline: Number.NaN }).note ?? "",
    /baseline is NaN/,
  );
  // row() itself still refuses to turn a broken measurement into a number.
  assert.throws(() => row({ name: "n", metric: "m", unit: "ms", value: Infinity }), /Infinity/);
});

test("bench rows – the results document takes an empty row, and refuses one that pretends a verdict", () => {
  const empty = emptyRow({ name: "n", metric: "m", unit: "ms" }, "nothing timed");
  assert.equal(Results.parse(doc([empty])).scenarios[0]?.value, null);
  assert.throws(() => Results.parse(doc([{ ...empty, met: true }])), /empty figure/);
  assert.throws(() => Results.parse(doc([{ ...empty, note: "quiet" }])), /empty figure/);
});

test("bench rows – the table shows the empty row and the misses list names it", () => {
  const rows = [
    emptyRow({ name: "a", metric: "x", unit: "req/s" }, "nothing timed"),
    row({ name: "b", metric: "y", unit: "ms", value: 3 }),
  ];
  assert.match(renderTable(rows), /\| a \| x \| no figure \| – \| – \| – \| – \|/);
  assert.equal(renderMisses(rows), `- a / x: no figure — ${NO_FIGURE}nothing timed`);
});

/** A series as the read scenario measures it, with every figure set. */
function series(client: string, endpoint: Series["endpoint"], inFlight: number, simCpuMs: number) {
  const round: LoadResult = { count: 100, wallMs: 50, cpuUs: 20_000 };
  return {
    ...round,
    client,
    rounds: [round, round],
    endpoint,
    inFlight,
    items: 100,
    simCpuMs,
    received: 100,
    asked: 100,
  } satisfies Series;
}

test("bench read rows – a simulator CPU time of zero gives empty simulator rows, every other row stays", () => {
  const all = (simCpuMs: number): Series[] =>
    ENDPOINTS.flatMap((e) => [
      ...[1, 16].flatMap((n) =>
        ["raw undici", "pve-client", "proxmox-api"].map((c) => series(c, e, n, simCpuMs)),
      ),
      series(NARROW_POOL, e, 16, simCpuMs),
      series("proxmoxer", e, 1, simCpuMs),
    ]);
  const rows = readRows(all(0));
  const empty = rows.filter((r) => r.value === null);
  assert.equal(empty.length, 2 * ENDPOINTS.length);
  for (const r of empty) {
    assert.match(r.metric, /^simulator /);
    assert.match(r.note ?? "", /CPU time over 100 requests read 0 ms/);
  }
  Results.parse(doc(rows));
  const measured = readRows(all(40));
  assert.equal(measured.length, rows.length);
  assert.ok(measured.every((r) => r.value !== null && r.value > 0));
});
