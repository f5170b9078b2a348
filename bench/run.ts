// `npm run bench` entry: runs every scenario (or those named with --only), prints the markdown table and writes
// bench/results/latest.json. `--quick` is a reduced run of every scenario; `--out FILE` writes elsewhere.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { BENCH_DIR } from "./lib/paths.js";
import { describeMachine, Results, type Row } from "./lib/results.js";
import type { Mode } from "./lib/scenario.js";
import { renderMisses, renderTable } from "./lib/table.js";
import { SCENARIOS } from "./scenarios/index.js";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    out: { type: "string" },
  },
  strict: true,
});
const mode: Mode = values.quick ? "quick" : "full";
const only = values.only ?? [];
const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
if (unknown.length > 0) {
  console.error(
    `bench: unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`,
  );
  process.exit(2);
}
const selected = only.length > 0 ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
const out =
  values.out ?? join(BENCH_DIR, "results", only.length > 0 ? "partial.json" : "latest.json");

const load = loadavg();
const started = performance.now();
const rows: Row[] = [];
const failures: string[] = [];
console.error(
  `bench: ${mode} run of ${selected.map((s) => s.id).join(", ")}; load average ${load.map((l) => l.toFixed(2)).join(" ")}`,
);
for (const scenario of selected) {
  const tmpDir = await mkdtemp(join(tmpdir(), `bench-${scenario.id}-`));
  const t0 = performance.now();
  console.error(`bench: ${scenario.title}…`);
  try {
    const result = await scenario.run({ mode, tmpDir, log: (m) => console.error(`  ${m}`) });
    rows.push(...result.rows);
    console.error(
      `bench: ${scenario.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    failures.push(
      `${scenario.id}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    console.error(
      `bench: ${scenario.id} FAILED: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

if (rows.length > 0) {
  const results = Results.parse({
    machine: describeMachine(load),
    date: new Date().toISOString(),
    mode,
    durationSec: Math.round((performance.now() - started) / 100) / 10,
    scenarios: rows,
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderTable(rows));
  console.log(`\n${renderMisses(rows)}`);
  console.error(`bench: wrote ${out} (${results.durationSec} s)`);
}
if (failures.length > 0) {
  console.error(`\nbench: ${failures.length} scenario(s) failed:\n${failures.join("\n")}`);
  process.exitCode = 1;
}
