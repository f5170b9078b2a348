// The embedded schema extract is what scripts/extract-schema.mjs makes from ../shared/pve-api.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadSchema } from "../src/schema-data.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const shared = join(here, "..", "..", "..", "..", "shared", "pve-api");

test("schema extract – holds the 39 slice-1 operations, prose removed", () => {
  const ops = loadSchema().operations;
  assert.equal(ops.length, 39);
  assert.equal(new Set(ops.map((o) => `${o.method} ${o.path}`)).size, 39);
  const text = JSON.stringify(ops);
  assert.ok(!text.includes('"verbose_description"') && !text.includes('"typetext"'));
});

test(
  "schema extract – matches a fresh extraction from ../shared/pve-api",
  { skip: !existsSync(join(shared, "endpoints-slice1.json")) },
  async () => {
    const mod = (await import(new URL("../scripts/extract-schema.mjs", import.meta.url).href)) as {
      extract: (dir: string) => { operations: unknown[] };
    };
    const fresh = mod.extract(shared);
    assert.deepEqual(loadSchema().operations, fresh.operations);
  },
);
