// Static side of the fence test: lists every module a package's source imports or requires, and walks its
// production dependency tree (package.json `dependencies`, transitively) collecting the same for each file.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Module specifiers a file imports, re-exports, dynamically imports or requires. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

const SKIP_DIRS = new Set([
  "node_modules",
  "test",
  "tests",
  "__tests__",
  "bench",
  "benchmarks",
  "benchmark",
  "example",
  "examples",
  "docs",
  "fixtures",
  ".github",
]);

/** Every source file of a package that ships or runs: .ts under src/ for our packages, JS for third parties. */
export function sourceFiles(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (!SKIP_DIRS.has(name)) walk(p);
      } else if (exts.some((e) => name.endsWith(e)) && !name.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export interface PackageInfo {
  name: string;
  dir: string;
  /** Production dependencies as declared. */
  dependencies: string[];
  /** Is it one of ours (a workspace package)? */
  workspace: boolean;
}

function readPackage(dir: string): PackageInfo {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    name: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const real = realpathSync(dir);
  return {
    name: pkg.name,
    dir: real,
    dependencies: [
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ],
    workspace: real.startsWith(join(ROOT, "packages")),
  };
}

/** Finds a dependency the way Node does: node_modules folders from `from` upwards. */
function locate(name: string, from: string): string {
  let d = from;
  for (;;) {
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const up = dirname(d);
    if (up === d) throw new Error(`cannot find dependency ${name} from ${from}`);
    d = up;
  }
}

/** The package and all its production dependencies, transitively (each once). */
export function dependencyTree(packageDir: string): PackageInfo[] {
  const seen = new Map<string, PackageInfo>();
  const visit = (dir: string): void => {
    const info = readPackage(dir);
    if (seen.has(info.dir)) return;
    seen.set(info.dir, info);
    for (const dep of info.dependencies) visit(locate(dep, info.dir));
  };
  visit(packageDir);
  return [...seen.values()];
}

export interface Finding {
  package: string;
  file: string;
  what: string;
}

/**
 * Scans a package tree: our packages' src/*.ts, third parties' shipped JS. Reports each import of a forbidden
 * module, each forbidden dependency name, and each use of a forbidden global (e.g. `fetch(`).
 */
export function scanTree(
  packageDir: string,
  forbiddenModules: readonly string[],
  forbiddenGlobals: readonly RegExp[] = [],
): { findings: Finding[]; packages: string[]; files: number } {
  const forbidden = new Set(forbiddenModules.map((m) => m.replace(/^node:/, "")));
  const findings: Finding[] = [];
  const tree = dependencyTree(packageDir);
  let files = 0;
  for (const pkg of tree) {
    for (const dep of pkg.dependencies) {
      if (forbidden.has(dep))
        findings.push({ package: pkg.name, file: "package.json", what: `dependency ${dep}` });
    }
    const list = pkg.workspace
      ? sourceFiles(join(pkg.dir, "src"), [".ts"])
      : sourceFiles(pkg.dir, [".js", ".mjs", ".cjs"]);
    for (const file of list) {
      files++;
      const rel = relative(ROOT, file);
      for (const spec of importsOf(file)) {
        const bare = spec.replace(/^node:/, "");
        const root = bare.startsWith("@")
          ? bare.split("/").slice(0, 2).join("/")
          : (bare.split("/")[0] ?? bare);
        if (forbidden.has(bare) || forbidden.has(root))
          findings.push({ package: pkg.name, file: rel, what: `imports ${spec}` });
      }
      if (forbiddenGlobals.length > 0) {
        const text = stripComments(readFileSync(file, "utf8"));
        for (const re of forbiddenGlobals) {
          if (re.test(text))
            findings.push({ package: pkg.name, file: rel, what: `uses ${re.source}` });
        }
      }
    }
  }
  return { findings, packages: tree.map((p) => p.name), files };
}

/** Removes comments so a word in a doc comment is not taken for a call. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}
