#!/usr/bin/env node
// Regenerates api-schema/slice1.json: the slice-1 operations of the official PVE API schema (plus the few
// operations the simulator serves beyond the slice), stripped of prose, so the simulator and the contract test
// validate requests and responses from data inside the repository, without the 4 MB apidata.json.
// Usage: node packages/pve-sim/scripts/extract-schema.mjs <pve-api directory> [--check]
//   The directory holds apidata.json and endpoints-slice1.json (the team's copy: /work/shared/pve-api).
//   --check: write nothing, exit 1 when the committed extract differs from a fresh extraction.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, "..");

/** Operations beyond endpoints-slice1.json, copied from apidata.json, with why the simulator serves them. */
export const EXTRA_OPERATIONS = [
  { method: "GET", path: "/nodes", why: "the node index: the first call most PVE clients make" },
];

/** Keys of the schema dialect that matter for validation; prose and UI hints are dropped. */
const KEEP = new Set([
  "type",
  "optional",
  "default",
  "enum",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "requires",
  "items",
  "properties",
  "additionalProperties",
  "default_key",
  "alias",
  "keyAlias",
]);

export function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    if (!KEEP.has(key)) continue;
    const value = schema[key];
    if (key === "properties" || (key === "format" && typeof value === "object")) {
      const props = {};
      for (const name of Object.keys(value).sort()) props[name] = strip(value[name]);
      out[key] = props;
    } else if (key === "items" || key === "additionalProperties") {
      out[key] = typeof value === "object" ? strip(value) : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** info[method] of the schema node at `path` in apidata.json's tree. */
function findInfo(tree, method, path) {
  for (const node of tree) {
    if (node.path === path) return node.info?.[method];
    const hit = node.children && findInfo(node.children, method, path);
    if (hit) return hit;
  }
  return undefined;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

export function extract(apiDirectory) {
  const sliceText = readFileSync(join(apiDirectory, "endpoints-slice1.json"), "utf8");
  const apidataText = readFileSync(join(apiDirectory, "apidata.json"), "utf8");
  const slice = JSON.parse(sliceText);
  const tree = JSON.parse(apidataText);
  const extra = EXTRA_OPERATIONS.map(({ method, path }) => {
    const info = findInfo(tree, method, path);
    if (!info) throw new Error(`${method} ${path} is not in apidata.json`);
    return { method, path, info };
  });
  const operations = [...slice.operations, ...extra].map(({ method, path, info }) => ({
    method,
    path,
    allowtoken: info.allowtoken ?? 0,
    protected: info.protected ?? 0,
    proxyto: info.proxyto ?? null,
    permissions: info.permissions
      ? Object.fromEntries(Object.entries(info.permissions).filter(([k]) => k !== "description"))
      : null,
    parameters: strip(info.parameters ?? { additionalProperties: 0 }),
    returns: strip(info.returns ?? {}),
  }));
  return {
    source: {
      ...slice.source,
      extractedFrom: "endpoints-slice1.json",
      endpointsSlice1Sha256: sha256(sliceText),
      apidataSha256: sha256(apidataText),
      sliceOperations: slice.operations.length,
      beyondTheSlice: EXTRA_OPERATIONS.map(
        ({ method, path, why }) => `${method} ${path} (from apidata.json): ${why}`,
      ),
      regenerate:
        "node packages/pve-sim/scripts/extract-schema.mjs <dir with apidata.json and endpoints-slice1.json> (--check to compare only)",
      note: "Derived from the Proxmox VE API schema (AGPL-3.0-or-later, (c) Proxmox Server Solutions GmbH); descriptions removed. Test data for a dev-only simulator; regenerate with scripts/extract-schema.mjs.",
    },
    operations,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const apiDir = args.find((a) => !a.startsWith("--"));
  if (!apiDir) {
    console.error("usage: extract-schema.mjs <pve-api directory> [--check]");
    process.exit(2);
  }
  const out = join(pkgRoot, "api-schema", "slice1.json");
  // Format as the repository's prettier would, so `prettier --check .` stays green.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(out)) ?? {};
  const text = await prettier.format(JSON.stringify(extract(resolve(apiDir))), {
    ...config,
    parser: "json",
  });
  if (args.includes("--check")) {
    const same = readFileSync(out, "utf8") === text;
    console.log(same ? `${out} is up to date` : `${out} differs from a fresh extraction`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
