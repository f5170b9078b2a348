#!/usr/bin/env node
// Regenerates api-schema/slice1.json: the slice-1 operations of the official PVE API schema, stripped of prose,
// so the simulator can validate requests and responses without the 4 MB apidata.json at run time.
// Usage: node packages/pve-sim/scripts/extract-schema.mjs [path/to/shared/pve-api]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = resolve(here, "..");
const apiDir = resolve(process.argv[2] ?? join(pkgRoot, "..", "..", "..", "shared", "pve-api"));

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

export function extract(apiDirectory) {
  const slice = JSON.parse(readFileSync(join(apiDirectory, "endpoints-slice1.json"), "utf8"));
  const operations = slice.operations.map(({ method, path, info }) => ({
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
      note: "Derived from the Proxmox VE API schema (AGPL-3.0-or-later, (c) Proxmox Server Solutions GmbH); descriptions removed. Test data for a dev-only simulator; regenerate with scripts/extract-schema.mjs.",
    },
    operations,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = join(pkgRoot, "api-schema", "slice1.json");
  // Format as the repository's prettier would, so `prettier --check .` stays green.
  const prettier = await import("prettier");
  const config = (await prettier.resolveConfig(out)) ?? {};
  const text = await prettier.format(JSON.stringify(extract(apiDir)), {
    ...config,
    parser: "json",
  });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
