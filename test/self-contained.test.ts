// Nothing under test reaches outside the repository: a clone alone (no ../shared beside it) runs `npm test`.
// The scanner reads every test and tool file; its own rules are shown to fire on the mistakes it hunts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ROOT } from "./fence/imports.js";
import { scanRepository, scanText } from "./fence/outside-repo.js";

test("self-contained – no test or tool file reaches outside the repository", () => {
  const { reaches, files } = scanRepository(ROOT);
  assert.ok(files > 150, `scanned only ${files} files`);
  assert.deepEqual(reaches, []);
});

test("self-contained – the scanner finds each way of reaching out (it can fail)", () => {
  const bad = [
    [
      "packages/pve-client/test/a.test.ts",
      `new URL("../../../../shared/pve-api/apidata.json", import.meta.url)`,
    ],
    ["test/b.test.ts", `const DESIGN = join(ROOT, "..", "shared", "DESIGN.md");`],
    ["soak/c.ts", `readFileSync("/work/shared/pve-api/apidata.json")`],
    ["bench/d.ts", `const p = join(here, "..", "..", "elsewhere", "x.json");`],
    ["packages/x/scripts/e.mjs", `const p = resolve(here, "../../../../y");`],
    ["test/f.test.ts", `new URL("../../outside.json", import.meta.url)`],
  ] as const;
  for (const [rel, text] of bad)
    assert.equal(scanText(rel, text).length > 0, true, `${rel}: ${text}`);
  const good = [
    [
      "packages/pve-client/test/a.test.ts",
      `new URL("../../pve-sim/api-schema/slice1.json", import.meta.url)`,
    ],
    ["test/b.test.ts", `const x = join(ROOT, "test", "data", "design-routing.json");`],
    ["bench/d.ts", `const p = join(here, "..", "results");`],
    ["test/g.test.ts", `const p = join(tmpdir(), "..", "x"); // not a path in the repository`],
    ["soak/h.ts", `readFileSync("/proc/self/status")`],
    ["test/i.test.ts", `// the team's copy sits in ../shared/pve-api (a comment, not a read)`],
  ] as const;
  for (const [rel, text] of good) assert.deepEqual(scanText(rel, text), [], `${rel}: ${text}`);
  // A file that runs from dist/ may climb one level further, and no more.
  assert.deepEqual(scanText("demo/main.ts", `new URL("../../", import.meta.url)`, true), []);
  assert.equal(scanText("demo/main.ts", `new URL("../../../", import.meta.url)`, true).length, 1);
});
