// No code of ours relies on Node's named-export detection for a CommonJS package: Debian's nodejs uses the system
// cjs-module-lexer, and under the helper unit's --disallow-code-generation-from-strings `import { Message } from
// "vscode-jsonrpc/node"` fails there with "Named export 'Message' not found" (issue 13). Every bare import is
// resolved the way Node's ESM loader does (package.json exports with the node/import conditions, else main), its
// format decided by extension and the nearest package.json "type"; a CommonJS target may only be default-imported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, relative } from "node:path";
import ts from "typescript";

const ROOT = join(import.meta.dirname, "..");
/** Where our code lives: every package's src and test, and the tools run under the units' or the suite's node. */
const SCANNED = [
  ...readdirSync(join(ROOT, "packages")).flatMap((p) => [
    join("packages", p, "src"),
    join("packages", p, "test"),
  ]),
  "test",
  "bench",
  "soak",
  "scripts",
  "demo",
  "deploy",
];
const SKIP = new Set(["node_modules", "dist", "build", ".git"]);
const CONDITIONS = new Set(["node", "import", "default"]);

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!SKIP.has(name)) walk(p, out);
    } else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function packageDirOf(name: string, from: string): string {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(d) === d) throw new Error(`cannot find package ${name} from ${from}`);
  }
}

/** A conditional exports target as the ESM loader picks it (first matching condition in object order). */
function pickTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const got = pickTarget(t);
      if (got !== undefined) return got;
    }
    return undefined;
  }
  if (target !== null && typeof target === "object") {
    for (const [cond, sub] of Object.entries(target)) {
      if (!CONDITIONS.has(cond)) continue;
      const got = pickTarget(sub);
      if (got !== undefined) return got;
    }
  }
  return undefined;
}

function resolveExports(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    exports !== null &&
    typeof exports === "object" &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith("."));
  if (!isSubpathMap) return subpath === "." ? pickTarget(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (subpath in map) return pickTarget(map[subpath]);
  for (const [key, target] of Object.entries(map)) {
    const star = key.indexOf("*");
    if (star < 0) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= key.length - 1) {
      const hit = pickTarget(target);
      return hit?.replaceAll("*", subpath.slice(pre.length, subpath.length - post.length));
    }
  }
  return undefined;
}

function withExtension(file: string): string {
  for (const c of [file, `${file}.js`, join(file, "index.js")]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  throw new Error(`cannot resolve ${file}`);
}

/** The format ("module" or "commonjs") Node's ESM loader gives a bare specifier imported from `from`. */
function formatOf(specifier: string, from: string): "module" | "commonjs" {
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
  const subpath = specifier === name ? "." : `./${specifier.slice(name.length + 1)}`;
  const dir = packageDirOf(name, from);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    exports?: unknown;
    main?: string;
  };
  let file: string;
  if (pkg.exports !== undefined) {
    const target = resolveExports(pkg.exports, subpath);
    if (target === undefined) throw new Error(`${specifier}: not exported for import from ${from}`);
    file = join(dir, target);
  } else {
    file = withExtension(join(dir, subpath === "." ? (pkg.main ?? "index.js") : subpath));
  }
  const ext = extname(file);
  if (ext === ".mjs" || ext === ".mts") return "module";
  if (ext === ".cjs" || ext === ".cts") return "commonjs";
  if (ext === ".json" || ext === ".node") return "commonjs";
  for (let d = dirname(file); ; d = dirname(d)) {
    const pj = join(d, "package.json");
    if (existsSync(pj)) {
      const type = (JSON.parse(readFileSync(pj, "utf8")) as { type?: string }).type;
      return type === "module" ? "module" : "commonjs";
    }
    if (dirname(d) === d) return "commonjs";
  }
}

function isBare(spec: string): boolean {
  return !spec.startsWith(".") && !spec.startsWith("/") && !spec.startsWith("node:");
}

/** The named (value) bindings a file takes from each module specifier, as "spec: names" findings. */
function namedValueImports(file: string, text: string): { spec: string; what: string }[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { spec: string; what: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const nb = clause?.namedBindings;
      if (clause !== undefined && !clause.isTypeOnly && nb !== undefined) {
        if (ts.isNamespaceImport(nb)) {
          out.push({ spec: node.moduleSpecifier.text, what: `import * as ${nb.name.text}` });
        } else {
          const names = nb.elements.filter((e) => !e.isTypeOnly).map((e) => e.getText(sf));
          if (names.length > 0)
            out.push({ spec: node.moduleSpecifier.text, what: `import { ${names.join(", ")} }` });
        }
      }
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      !node.isTypeOnly
    ) {
      const ec = node.exportClause;
      const names =
        ec === undefined
          ? ["*"]
          : ts.isNamedExports(ec)
            ? ec.elements.filter((e) => !e.isTypeOnly).map((e) => e.getText(sf))
            : [ec.getText(sf)];
      if (names.length > 0)
        out.push({ spec: node.moduleSpecifier.text, what: `export { ${names.join(", ")} }` });
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isObjectBindingPattern(node.name) &&
      node.initializer !== undefined &&
      ts.isAwaitExpression(node.initializer)
    ) {
      // const { a } = await import("x")
      const call = node.initializer.expression;
      if (
        ts.isCallExpression(call) &&
        call.expression.kind === ts.SyntaxKind.ImportKeyword &&
        call.arguments[0] !== undefined &&
        ts.isStringLiteral(call.arguments[0])
      ) {
        const names = node.name.elements
          .map((e) => (e.propertyName ?? e.name).getText(sf))
          .filter((n) => n !== "default");
        if (names.length > 0)
          out.push({
            spec: call.arguments[0].text,
            what: `await import() { ${names.join(", ")} }`,
          });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

test("cjs imports – the resolver tells the project's CommonJS packages from its ESM ones", () => {
  const from = join(ROOT, "packages", "helper-protocol", "src");
  assert.equal(formatOf("vscode-jsonrpc", from), "commonjs");
  assert.equal(formatOf("vscode-jsonrpc/node", from), "commonjs");
  assert.equal(formatOf("zod", from), "module");
  const agent = join(ROOT, "packages", "agent", "src");
  assert.equal(formatOf("pino", agent), "commonjs");
  const client = join(ROOT, "packages", "pve-client", "src");
  assert.equal(formatOf("undici", client), "commonjs");
  assert.equal(formatOf("fast-check", join(ROOT, "test")), "module"); // a dual package: ESM for import
  assert.equal(formatOf("@felhom/helper-protocol", agent), "module");
});

test("cjs imports – the finder sees named, namespace, re-exported and destructured dynamic imports", () => {
  const src = [
    'import a, { b, type C } from "m1";',
    'import type { D } from "m2";',
    'import * as e from "m3";',
    'import f from "m4";',
    'export { g } from "m5";',
    'export type { H } from "m6";',
    'const { i, default: j } = await import("m7");',
    'const { default: k } = await import("m8");',
  ].join("\n");
  assert.deepEqual(namedValueImports("x.ts", src), [
    { spec: "m1", what: "import { b }" },
    { spec: "m3", what: "import * as e" },
    { spec: "m5", what: "export { g }" },
    { spec: "m7", what: "await import() { i }" },
  ]);
});

test("cjs imports – no file of ours takes a named export from a CommonJS package", () => {
  const findings: string[] = [];
  let files = 0;
  let checked = 0;
  for (const dir of SCANNED) {
    for (const file of walk(join(ROOT, dir))) {
      files++;
      for (const { spec, what } of namedValueImports(file, readFileSync(file, "utf8"))) {
        if (!isBare(spec)) continue;
        checked++;
        if (formatOf(spec, dirname(file)) === "commonjs")
          findings.push(
            `${relative(ROOT, file)}: ${what} from "${spec}" (CommonJS: use a default import)`,
          );
      }
    }
  }
  assert.ok(files > 100, `scanned only ${files} files`);
  assert.ok(checked > 10, `checked only ${checked} named imports`);
  assert.deepEqual(findings, []);
});
