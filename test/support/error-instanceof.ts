// Finds errors matched by class (`err instanceof SomeError`) in production sources, where the project matches them
// by their stable `code` through type guards; shared by the test and usable on any checkout.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Packages whose sources are not scanned, and why. */
export const NOT_SCANNED: Readonly<Record<string, string>> = {
  "root-helper": "the root helper's own area (issue 15 leaves it to its owner)",
};

export interface ClassMatch {
  file: string;
  line: number;
  name: string;
  text: string;
}

function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const CLASS = /\bclass\s+([A-Za-z_$][\w$]*)\s+extends\s+([A-Za-z_$][\w$.]*)/g;
const INSTANCEOF = /\binstanceof\s+\(?\s*([A-Za-z_$][\w$.]*)/g;

/** Error classes declared in `texts` (extending Error, or a class that does, transitively), by defining file. */
export function errorClasses(texts: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const bases = new Map<string, { base: string; files: Set<string> }>();
  for (const [file, text] of texts)
    for (const m of text.matchAll(CLASS)) {
      const name = m[1] as string;
      const base = (m[2] as string).split(".").pop() as string;
      const entry = bases.get(name) ?? { base, files: new Set<string>() };
      entry.files.add(file);
      bases.set(name, entry);
    }
  const isError = (name: string, seen = new Set<string>()): boolean => {
    if (name === "Error" || name.endsWith("Error")) return true;
    const entry = bases.get(name);
    if (entry === undefined || seen.has(name)) return false;
    seen.add(name);
    return isError(entry.base, seen);
  };
  const out = new Map<string, Set<string>>();
  for (const [name, entry] of bases) if (isError(name)) out.set(name, entry.files);
  return out;
}

/**
 * Every `instanceof X` where X is an error class (declared in the sources, or named `…Error` such as zod's or
 * vscode-jsonrpc's), outside the file that declares X. `instanceof Error` itself is not a taxonomy check.
 */
export function scanTexts(texts: ReadonlyMap<string, string>): ClassMatch[] {
  const classes = errorClasses(texts);
  const found: ClassMatch[] = [];
  for (const [file, text] of texts) {
    const lines = text.split("\n");
    lines.forEach((lineText, i) => {
      for (const m of lineText.matchAll(INSTANCEOF)) {
        const name = (m[1] as string).split(".").pop() as string;
        if (name === "Error") continue;
        const declared = classes.get(name);
        const errorLike = declared !== undefined || /^[A-Z][\w$]*Error$/.test(name);
        if (!errorLike || declared?.has(file)) continue;
        found.push({ file, line: i + 1, name, text: lineText.trim() });
      }
    });
  }
  return found;
}

/** Scans packages/<name>/src of the checkout at `root` (less NOT_SCANNED) for error classes matched by class. */
export function scanRepository(root: string): { matches: ClassMatch[]; files: number } {
  const texts = new Map<string, string>();
  for (const pkg of readdirSync(join(root, "packages"))) {
    if (pkg in NOT_SCANNED) continue;
    for (const file of walk(join(root, "packages", pkg, "src")))
      texts.set(relative(root, file), readFileSync(file, "utf8"));
  }
  return { matches: scanTexts(texts), files: texts.size };
}
