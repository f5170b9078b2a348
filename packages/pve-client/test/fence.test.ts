// The client's structural fence: it never starts a process, and depends on undici and the project's
// dependency-free grammar module only (responses are checked by its own compiled record parser, not zod).
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const pkgDir = fileURLToPath(new URL("..", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("fence – no source file can start a process", () => {
  const files = sources(join(pkgDir, "src"));
  assert.ok(files.length > 10);
  const forbidden =
    /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](?:node:)?(?:child_process|worker_threads|cluster)["']|["']execa["']|\bprocess\.(?:binding|dlopen|kill)\b/;
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    assert.doesNotMatch(text, forbidden, f);
    for (const m of text.matchAll(/from\s+["']([^"']+)["']/g)) {
      const spec = m[1] ?? "";
      assert.ok(
        spec.startsWith(".") ||
          spec === "undici" ||
          spec === "@felhom/grammar" ||
          /^node:(fs|tls|zlib|util|module)$/.test(spec),
        `${f} imports ${spec}`,
      );
    }
    // node:module is for undici-parts.ts, which requires undici's agent and connector files; nothing else.
    for (const m of text.matchAll(/\brequire\s*\(\s*([^)]*)\)/g)) {
      assert.match(m[1] ?? "", /^["']undici\/lib\/[\w/-]+\.js["']$/, `${f} requires ${m[1]}`);
    }
  }
});

test("fence – runtime dependencies are undici and the grammar module (which has none)", () => {
  const deps = (dir: string) =>
    Object.keys(
      (
        JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
          dependencies?: Record<string, string>;
        }
      ).dependencies ?? {},
    ).sort();
  assert.deepEqual(deps(pkgDir), ["@felhom/grammar", "undici"]);
  const grammarDir = join(pkgDir, "..", "grammar");
  assert.deepEqual(deps(grammarDir), []);
  for (const f of sources(join(grammarDir, "src"))) {
    for (const m of readFileSync(f, "utf8").matchAll(/from\s+["']([^"']+)["']/g))
      assert.ok(m[1]?.startsWith("./"), `${f} imports ${m[1]}`);
  }
});
