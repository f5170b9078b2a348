#!/usr/bin/env node
// Regenerates test/data/design-routing.json: section 1 (the routing table) of the team's DESIGN.md, verbatim, with
// its provenance, so test/routing.test.ts checks the table on data inside the repository.
// Usage: node scripts/extract-design-routing.mjs <path to DESIGN.md> [--check]
//   (the team's copy: /work/shared/DESIGN.md). --check: write nothing, exit 1 when the committed extract differs.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = fileURLToPath(new URL("../test/data/design-routing.json", import.meta.url));

/** The extract of DESIGN.md's text: section 1 from its heading up to (not including) section 2's. */
export function extract(designText, designName = "DESIGN.md") {
  const start = designText.indexOf("## 1.");
  const end = designText.indexOf("## 2.");
  if (start < 0 || end < start) throw new Error(`${designName}: no section 1 before section 2`);
  return {
    source: {
      file: designName,
      location:
        "the team's design document, reading material kept beside the repository (not in it)",
      section: "1. Routing",
      sha256: createHash("sha256").update(designText).digest("hex"),
      regenerate:
        "node scripts/extract-design-routing.mjs <path to DESIGN.md> (--check to compare only)",
    },
    lines: designText.slice(start, end).trimEnd().split("\n"),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const design = args.find((a) => !a.startsWith("--"));
  if (!design) {
    console.error("usage: extract-design-routing.mjs <path to DESIGN.md> [--check]");
    process.exit(2);
  }
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(OUT)) ?? {};
  const text = await prettier.format(
    JSON.stringify(extract(readFileSync(design, "utf8"), basename(design))),
    { ...config, parser: "json" },
  );
  if (args.includes("--check")) {
    const same = readFileSync(OUT, "utf8") === text;
    console.log(same ? `${OUT} is up to date` : `${OUT} differs from a fresh extraction`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
