// What the root process runs: the production entry (dist/main.js, bundled) loads at most 10,000 lines of
// JavaScript under the unit's node flags; no zod locale, no JSON Schema code and no agent-side client among them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { measureLoadedCode } from "../scripts/loaded-code.mjs";
import { PACKAGE_DIR, isRoot } from "./helpers.js";

const MAIN = join(PACKAGE_DIR, "dist", "main.js");
const UNIT = join(PACKAGE_DIR, "../../deploy/felhom-root-helper.service");

test("loaded code – the root process loads one bundle of at most 10,000 lines", async (t) => {
  if (!isRoot) return t.skip("the production entry runs only as root");
  if (!existsSync(MAIN)) return t.skip("dist/ is not built (npm run build)");
  const m = await measureLoadedCode({ unit: UNIT, main: MAIN, idleMs: 200 });
  t.diagnostic(
    JSON.stringify({ files: m.files, lines: m.lines, byPackage: m.byPackage, rss: m.rssIdleKiB }),
  );
  assert.ok(m.lines <= 10_000, `${m.lines} lines loaded`);
  assert.deepEqual(m.list, [MAIN]);
  assert.ok((m.byPackage.zod ?? 0) <= 3000, `zod: ${m.byPackage.zod} lines`);
  const bundle = readFileSync(MAIN, "utf8");
  const sections = bundle.match(/^\/\/ \S+\.(?:[cm]?js|ts)$/gm) ?? [];
  assert.ok(sections.some((s) => s.includes("zod/v4/mini/schemas.js")));
  const banned = /zod\/v4\/(?:locales|classic)\/|json-schema/;
  assert.deepEqual(
    sections.filter((s) => banned.test(s)),
    [],
  );
  assert.doesNotMatch(bundle, /HelperClient/); // the agent's side of the contract stays out
});
