// Turns a suite result into node:test subtests, one per invariant, so a failure names the broken invariant and
// its evidence; figures go out as diagnostics. A suite the machine cannot run is skipped with its reason.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { SuiteResult } from "./result.js";

export async function assertSuite(t: TestContext, result: SuiteResult): Promise<void> {
  if (result.skipped !== undefined) return t.skip(result.skipped);
  for (const f of result.figures) t.diagnostic(`${f.label}: ${f.value}`);
  assert.ok(result.checks.length > 0, "the suite checked nothing");
  for (const c of result.checks) await t.test(c.invariant, () => assert.ok(c.held, c.detail));
}
