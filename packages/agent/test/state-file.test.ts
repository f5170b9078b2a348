// The state file: written atomically (readers see the old or the new snapshot, never a part), no temp files
// left behind, stale temp files of a killed run swept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeStaleTempFiles, writeStateFile } from "../src/state-file.js";
import { AgentError } from "../src/errors.js";

test("state file – concurrent readers only ever see complete snapshots", async () => {
  const dir = await mkdtemp(join(tmpdir(), "felhom-state-"));
  try {
    const path = join(dir, "state.json");
    await writeStateFile(path, { seq: 0, pad: "" });
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, "utf8");
        const doc = JSON.parse(text) as { seq: number; pad: string };
        assert.equal(doc.pad.length, doc.seq * 1000, "a complete document");
        reads++;
      }
    })();
    for (let seq = 1; seq <= 60; seq++)
      await writeStateFile(path, { seq, pad: "x".repeat(seq * 1000) });
    writing = false;
    await reader;
    assert.ok(reads > 0);
    assert.deepEqual(await readdir(dir), ["state.json"], "no temp file left");
    assert.equal((await stat(path)).mode & 0o777, 0o640);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("state file – a missing directory is a typed error and leaves nothing behind", async () => {
  const dir = await mkdtemp(join(tmpdir(), "felhom-state-"));
  try {
    await assert.rejects(writeStateFile(join(dir, "nope", "state.json"), {}), (err: unknown) => {
      assert.ok(err instanceof AgentError);
      assert.equal(err.code, "AGENT_STATE_WRITE_FAILED");
      assert.match(err.message, /cannot write \(ENOENT\)/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("state file – stale temp files of an earlier run are removed, other files are kept", async () => {
  const dir = await mkdtemp(join(tmpdir(), "felhom-state-"));
  try {
    const path = join(dir, "state.json");
    await writeFile(join(dir, ".state.json.123.abcdef.tmp"), "{");
    await writeFile(join(dir, ".state.json.456.012345.tmp"), "{");
    await writeFile(join(dir, "keep.tmp"), "x");
    await writeFile(path, "{}");
    assert.equal(await removeStaleTempFiles(path), 2);
    assert.deepEqual((await readdir(dir)).sort(), ["keep.tmp", "state.json"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
