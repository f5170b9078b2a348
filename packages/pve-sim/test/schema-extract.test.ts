// The embedded schema extract (api-schema/slice1.json): what it holds, where it came from, and that
// scripts/extract-schema.mjs rebuilds it from schema files of the shape of ../shared/pve-api (made here in a temp
// directory: tests never read outside the repository; `extract-schema.mjs <dir> --check` compares with the real ones).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadSchema } from "../src/schema-data.js";
import type { OperationSchema } from "../src/schema/types.js";

interface ExtractModule {
  extract: (dir: string) => { source: Record<string, unknown>; operations: OperationSchema[] };
  EXTRA_OPERATIONS: { method: string; path: string }[];
}
const load = async (): Promise<ExtractModule> =>
  (await import(new URL("../scripts/extract-schema.mjs", import.meta.url).href)) as ExtractModule;

test("schema extract – holds the 39 slice-1 operations and GET /nodes, prose removed", () => {
  const ops = loadSchema().operations;
  assert.equal(ops.length, 40);
  assert.equal(new Set(ops.map((o) => `${o.method} ${o.path}`)).size, 40);
  assert.deepEqual(
    ops.slice(39).map((o) => `${o.method} ${o.path}`),
    ["GET /nodes"],
  );
  const text = JSON.stringify(ops);
  assert.ok(!text.includes('"verbose_description"') && !text.includes('"typetext"'));
});

test("schema extract – records its provenance: source commit, PVE version, checksums of its inputs", () => {
  const source = loadSchema().source;
  assert.equal(source.commit, "02bfb50d25ece6fd1e4fb3262d50769c8f836b49");
  assert.equal(source.pveDocsVersion, "9.1.4");
  assert.equal(source.sliceOperations, 39);
  assert.match(String(source.apidataSha256), /^[0-9a-f]{64}$/);
  assert.match(String(source.endpointsSlice1Sha256), /^[0-9a-f]{64}$/);
  assert.match(String(source.regenerate), /extract-schema\.mjs/);
});

test("schema extract – the script rebuilds the extract from schema files, dropping prose", async () => {
  const { extract, EXTRA_OPERATIONS } = await load();
  const committed = loadSchema();
  const extraKeys = new Set(EXTRA_OPERATIONS.map((o) => `${o.method} ${o.path}`));
  // Re-dress each operation as the upstream files hold it: prose beside every schema, the slice's ops in
  // endpoints-slice1.json, the others only in apidata.json's tree.
  const dress = (op: OperationSchema) => ({
    description: "prose",
    allowtoken: op.allowtoken,
    protected: op.protected,
    ...(op.proxyto === null ? {} : { proxyto: op.proxyto }),
    ...(op.permissions === null ? {} : { permissions: { ...op.permissions, description: "p" } }),
    parameters: { ...op.parameters, description: "prose", verbose_description: "more" },
    returns: { ...op.returns, typetext: "<string>" },
  });
  const sliceOps = committed.operations.filter((o) => !extraKeys.has(`${o.method} ${o.path}`));
  const extraOps = committed.operations.filter((o) => extraKeys.has(`${o.method} ${o.path}`));
  const dir = mkdtempSync(join(tmpdir(), "extract-"));
  try {
    const { sliceOperations: _n, ...sliceSource } = committed.source;
    writeFileSync(
      join(dir, "endpoints-slice1.json"),
      JSON.stringify({
        source: sliceSource,
        operations: sliceOps.map((o) => ({ method: o.method, path: o.path, info: dress(o) })),
      }),
    );
    writeFileSync(
      join(dir, "apidata.json"),
      JSON.stringify([
        { path: "/version", info: {} },
        {
          path: "/",
          children: extraOps.map((o) => ({ path: o.path, info: { [o.method]: dress(o) } })),
        },
      ]),
    );
    const fresh = extract(dir);
    assert.deepEqual(fresh.operations, committed.operations);
    assert.equal(fresh.source.sliceOperations, 39);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
