// The bench's pure parts: order statistics, targets and `met`, result rows, the results schema and the table.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { describeMachine, Results, row } from "../bench/lib/results.js";
import { max, median, percentile, round } from "../bench/lib/stats.js";
import { renderMisses, renderTable } from "../bench/lib/table.js";
import { describeTarget, evaluate } from "../bench/lib/targets.js";

test("percentile – nearest rank on 1..100 and on small sets", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(hundred, 50), 50);
  assert.equal(percentile(hundred, 99), 99);
  assert.equal(percentile(hundred, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 75), 3);
});

test("percentile – is always a sample and grows with p", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
        minLength: 1,
        maxLength: 50,
      }),
      fc.integer({ min: 1, max: 99 }),
      (xs, p) => {
        const v = percentile(xs, p);
        assert.ok(xs.includes(v));
        assert.ok(percentile(xs, p + 1) >= v);
      },
    ),
  );
});

test("median, max – odd and even counts", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(max([2, 9, 4]), 9);
});

test("stats – refuse empty sets, non-finite samples and bad percentiles", () => {
  assert.throws(() => median([]), /no samples/);
  assert.throws(() => percentile([1, Number.NaN], 50), /not finite/);
  assert.throws(() => max([Infinity]), /not finite/);
  assert.throws(() => percentile([1], 0), /outside/);
  assert.throws(() => percentile([1], 101), /outside/);
});

test("round – significant digits", () => {
  assert.equal(round(1234.5678), 1235);
  assert.equal(round(0.000123456, 3), 0.000123);
  assert.equal(round(0), 0);
});

test("evaluate – ratio targets compare value / baseline with each operator", () => {
  const f = (ratio: number | null) => ({ value: 1, ratio, unit: "req/s" });
  assert.equal(evaluate({ op: ">=", ratio: 0.85 }, f(0.85)), true);
  assert.equal(evaluate({ op: ">=", ratio: 0.85 }, f(0.84)), false);
  assert.equal(evaluate({ op: ">", ratio: 1 }, f(1)), false);
  assert.equal(evaluate({ op: "<", ratio: 1 }, f(0.99)), true);
  assert.equal(evaluate({ op: "<=", ratio: 1.3 }, f(1.31)), false);
  assert.equal(
    evaluate({ op: ">=", ratio: 2 }, f(null)),
    false,
    "no baseline cannot meet a ratio target",
  );
  assert.equal(evaluate(null, f(5)), null);
});

test("evaluate – value targets compare the value in the same unit, and refuse another unit", () => {
  assert.equal(
    evaluate({ op: "<=", value: 100, unit: "ms" }, { value: 100, ratio: 9, unit: "ms" }),
    true,
  );
  assert.equal(
    evaluate({ op: "<=", value: 100, unit: "ms" }, { value: 100.5, ratio: 0, unit: "ms" }),
    false,
  );
  assert.throws(
    () => evaluate({ op: "<=", value: 50, unit: "MB" }, { value: 1, ratio: null, unit: "ms" }),
    /unit/,
  );
  assert.equal(describeTarget({ op: "<=", value: 2, unit: "ms" }), "≤ 2 ms");
  assert.equal(describeTarget({ op: ">=", ratio: 0.85 }), "≥ 0.85×");
  assert.equal(describeTarget(null), "–");
});

test("row – derives ratio and met from the figures", () => {
  const r = row({
    name: "n",
    metric: "m",
    unit: "req/s",
    value: 900,
    baseline: 1000,
    target: { op: ">=", ratio: 0.85 },
  });
  assert.equal(r.ratio, 0.9);
  assert.equal(r.met, true);
  const miss = row({
    name: "n",
    metric: "m",
    unit: "req/s",
    value: 800,
    baseline: 1000,
    target: { op: ">=", ratio: 0.85 },
  });
  assert.equal(miss.met, false);
  const info = row({ name: "n", metric: "m", unit: "ms", value: 3 });
  assert.deepEqual([info.baseline, info.ratio, info.target, info.met], [null, null, null, null]);
  assert.equal(row({ name: "n", metric: "m", unit: "ms", value: 3, baseline: 0 }).ratio, null);
});

test("row – a non-finite figure throws instead of becoming a number", () => {
  assert.throws(
    () => row({ name: "n", metric: "m", unit: "ms", value: Number.NaN }),
    /value is NaN/,
  );
  assert.throws(
    () => row({ name: "n", metric: "m", unit: "ms", value: 1, baseline: Infinity }),
    /baseline/,
  );
});

function doc(rows: unknown[]) {
  return {
    machine: describeMachine([0.1, 0.2, 0.3]),
    date: new Date().toISOString(),
    mode: "quick",
    scenarios: rows,
  };
}

test("Results – accepts rows made by row()", () => {
  const rows = [
    row({
      name: "a",
      metric: "x",
      unit: "req/s",
      value: 10,
      baseline: 5,
      target: { op: ">=", ratio: 2 },
    }),
    row({
      name: "b",
      metric: "y",
      unit: "ms",
      value: 120,
      target: { op: "<=", value: 100, unit: "ms" },
    }),
  ];
  const parsed = Results.parse(doc(rows));
  assert.equal(parsed.scenarios.length, 2);
  assert.equal(parsed.machine.cores > 0, true);
});

test("Results – refuses a met typed in against the figures, a wrong ratio, a bad unit or an empty list", () => {
  const good = row({
    name: "a",
    metric: "x",
    unit: "req/s",
    value: 10,
    baseline: 5,
    target: { op: ">=", ratio: 2 },
  });
  assert.equal(Results.safeParse(doc([{ ...good, met: false }])).success, false);
  assert.equal(Results.safeParse(doc([{ ...good, ratio: 3 }])).success, false);
  assert.equal(
    Results.safeParse(doc([{ ...good, target: { op: "<=", value: 1, unit: "ms" } }])).success,
    false,
  );
  assert.equal(Results.safeParse(doc([{ ...good, value: "10" }])).success, false);
  assert.equal(Results.safeParse(doc([])).success, false);
  assert.equal(Results.safeParse({ ...doc([good]), mode: "fast" }).success, false);
});

test("renderTable – one line per row, targets and misses shown, pipes escaped", () => {
  const rows = [
    row({
      name: "a|b",
      metric: "x",
      unit: "req/s",
      value: 4321.7,
      baseline: 5000,
      target: { op: ">=", ratio: 0.85 },
    }),
    row({ name: "c", metric: "y", unit: "ms", value: 0.0123 }),
  ];
  const lines = renderTable(rows).split("\n");
  assert.equal(lines.length, 4);
  assert.match(
    lines[0] ?? "",
    /^\| Scenario \| Metric \| Value \| Baseline \| Ratio \| Target \| Met \|$/,
  );
  assert.match(
    lines[2] ?? "",
    /^\| a\\\|b \| x \| 4,322 req\/s \| 5,000 \| 0\.864× \| ≥ 0\.85× \| yes \|$/,
  );
  assert.match(lines[3] ?? "", /\| 0\.0123 ms \| – \| – \| – \| – \|$/);
  const missed = [
    row({
      name: "n",
      metric: "m",
      unit: "ms",
      value: 5,
      target: { op: "<=", value: 2, unit: "ms" },
      note: "why",
    }),
  ];
  assert.match(renderTable(missed), /\*\*NO\*\*/);
  assert.equal(renderMisses(missed), "- n / m: missed — why");
  assert.equal(renderMisses(rows), "All targets met.");
});
