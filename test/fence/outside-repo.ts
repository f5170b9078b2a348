// Finds where a test or tool file reaches outside the repository: paths into the team's shared folder, absolute
// paths under /work or /home, and relative paths (new URL(…, import.meta.url), join/resolve from the file's own
// directory or the repository root) that climb above the repository root.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export interface Reach {
  file: string;
  line: number;
  what: string;
}

const SOURCE = /\.(ts|mts|cts|mjs|cjs|js|sh)$/;
const SKIP = new Set(["node_modules", "dist", ".git"]);

/** Test and tool folders: every package's test/ and scripts/, and the repository's own test, tool and demo trees. */
export function toolRoots(root: string): string[] {
  const pkgs = readdirSync(join(root, "packages")).flatMap((p) => [
    join(root, "packages", p, "test"),
    join(root, "packages", p, "scripts"),
  ]);
  return [
    ...pkgs,
    ...["test", "scripts", "bench", "soak", "demo", "deploy"].map((d) => join(root, d)),
  ];
}

export function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) ? [path] : [];
  });
}

const LITERAL_RULES: Array<[RegExp, string]> = [
  [/\bshared[/\\"', ]+(pve-api|DESIGN|reference)\b/, "the team's shared folder"],
  [/\.\.[/\\"', ]+shared\b/, "../shared beside the repository"],
  [/["'`](\/work|\/home|~)\//, "an absolute path outside the repository"],
];

/** How many levels a relative path climbs from its base (net of the folders it enters first). */
function climb(segments: string[]): number {
  let depth = 0;
  let worst = 0;
  for (const s of segments) {
    if (s === "..") depth--;
    else if (s !== "." && s !== "") depth++;
    worst = Math.min(worst, depth);
  }
  return -worst;
}

/**
 * Checks one file's text; `rel` is its path from the repository root ("test/x.test.ts"). `runsFromDist`: the file
 * is compiled to a dist/ folder beside it and runs from there (its URLs resolve one level deeper).
 */
export function scanText(rel: string, text: string, runsFromDist = false): Reach[] {
  const found: Reach[] = [];
  const dirDepth = rel.split(/[/\\]/).length - 1 + (runsFromDist ? 1 : 0);
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may name the shared folder; code may not
    const at = (what: string): void => void found.push({ file: rel, line: i + 1, what });
    for (const [re, what] of LITERAL_RULES) if (re.test(line)) at(`${what}: ${line.trim()}`);
    for (const m of line.matchAll(/new URL\(\s*["'`]([^"'`]*)["'`]\s*,\s*import\.meta\.url/g)) {
      const segs = (m[1] ?? "").split("/");
      segs.pop(); // the last segment names a file (or is empty for a folder "../")
      if (m[1]?.endsWith("/")) segs.push("");
      if (climb(segs) > dirDepth) at(`climbs above the repository: ${m[0]}`);
    }
    for (const m of line.matchAll(/\b(?:join|resolve)\(\s*([\w.]+(?:\([^()]*\))?)\s*,([^)]*)\)/g)) {
      const base = m[1] ?? "";
      const fromRoot = /^(ROOT|REPO|repo|repoRoot|REPO_ROOT)$/.test(base);
      const fromHere = /^(here|__dirname|import\.meta\.dirname|HERE|dir)$/.test(base);
      if (!fromRoot && !fromHere) continue;
      const segs = [...(m[2] ?? "").matchAll(/["'`]([^"'`]*)["'`]/g)].flatMap((s) =>
        (s[1] ?? "").split("/"),
      );
      if (climb(segs) > (fromRoot ? 0 : dirDepth)) at(`climbs above the repository: ${m[0]}`);
    }
  });
  return found;
}

/** The scanner and its test spell out the patterns they hunt. */
const SELF = new Set(["test/fence/outside-repo.ts", "test/self-contained.test.ts"]);

/** Every reach outside the repository in its test and tool files. */
export function scanRepository(root: string): { reaches: Reach[]; files: number } {
  const files = toolRoots(root)
    .flatMap(sourceFiles)
    .filter((f) => !SELF.has(relative(root, f).split(sep).join("/")));
  const reaches = files.flatMap((f) => {
    const rel = relative(root, f).split(sep).join("/");
    const top = rel.split("/")[0] ?? "";
    // demo/ is built by its own tsconfig.build.json to demo/dist and runs from there.
    const fromDist = f.endsWith(".ts") && existsSync(join(root, top, "tsconfig.build.json"));
    return scanText(rel, readFileSync(f, "utf8"), fromDist);
  });
  return { reaches, files: files.length };
}
