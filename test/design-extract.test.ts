// The routing test's DESIGN extract (test/data/design-routing.json): scripts/extract-design-routing.mjs keeps
// section 1 verbatim with the checksum of the document it came from, and the committed extract has that shape.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./fence/imports.js";

interface Extract {
  source: { file: string; section: string; sha256: string; regenerate: string };
  lines: string[];
}
const script = new URL("../scripts/extract-design-routing.mjs", import.meta.url).href;

test("design extract – section 1 verbatim, up to section 2, with the document's checksum", async () => {
  const { extract } = (await import(script)) as { extract: (text: string) => Extract };
  const doc =
    "# D\n\n## 0. Intro\nx\n\n## 1. Routing: r\n\n| Operation | Backend |\n| a | API |\n\n## 2. Next\ny\n";
  const out = extract(doc);
  assert.deepEqual(out.lines, ["## 1. Routing: r", "", "| Operation | Backend |", "| a | API |"]);
  assert.equal(out.source.sha256, createHash("sha256").update(doc).digest("hex"));
  assert.throws(() => extract("## 2. only\n"), /no section 1/);
});

test("design extract – the committed extract is section 1 of DESIGN.md, with its provenance", () => {
  const data = JSON.parse(
    readFileSync(join(ROOT, "test", "data", "design-routing.json"), "utf8"),
  ) as Extract;
  assert.equal(data.source.file, "DESIGN.md");
  assert.match(data.source.sha256, /^[0-9a-f]{64}$/);
  assert.match(data.lines[0] ?? "", /^## 1\. Routing/);
  assert.equal(data.lines.filter((l) => l.startsWith("| ")).length, 14, "header, rule and 12 rows");
});
