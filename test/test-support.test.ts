// Test support lives in one workspace-only package: no shipped package exports or depends on test code, and the
// Debian build never lists the support package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./fence/imports.js";

const read = (p: string): string => readFileSync(join(ROOT, p), "utf8");
const SHIPPED = /^packages=\(([^)]*)\)$/m
  .exec(read("scripts/package/build-deb.sh"))?.[1]
  ?.split(" ");

/** Every path a package.json `exports` map points at, at any depth of conditions. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.values(exports).flatMap(exportTargets);
}

test("test support – no shipped package exports its test folder or depends on the support package", () => {
  assert.ok(SHIPPED && SHIPPED.length > 0, "build-deb.sh lists the shipped packages");
  assert.ok(!SHIPPED.includes("test-support"));
  for (const p of SHIPPED) {
    const pkg = JSON.parse(read(`packages/${p}/package.json`)) as {
      exports?: unknown;
      dependencies?: Record<string, string>;
    };
    const intoTests = exportTargets(pkg.exports).filter((t) => /(^|\/)tests?\//.test(t));
    assert.deepEqual(intoTests, [], `${p} exports test code`);
    assert.ok(
      !("@felhom/test-support" in (pkg.dependencies ?? {})),
      `${p} depends on test support`,
    );
  }
  const support = JSON.parse(read("test/support/package.json")) as { private?: boolean };
  assert.equal(support.private, true);
});
