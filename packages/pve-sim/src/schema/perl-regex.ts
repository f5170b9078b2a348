// Turns the schema's Perl regexes into JavaScript ones: `(?^:` and `(?^i:` groups, atomic groups, anchoring.

const cache = new Map<string, RegExp>();

/**
 * Compiles a schema `pattern` as PVE applies it (`m/^$pattern$/`). Stringified `qr//` groups become plain
 * groups (a `(?^i:` makes the whole pattern case-insensitive, a slight widening), and atomic groups `(?>X)`
 * become `(?:(?=(X))\N)`, which matches the same strings without catastrophic backtracking.
 */
export function compilePerlPattern(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const flags = pattern.includes("(?^i:") ? "i" : "";
    const source = rewriteAtomicGroups(pattern.replace(/\(\?\^i?:/g, "(?:"));
    re = new RegExp(`^(?:${source})$`, flags);
    cache.set(pattern, re);
  }
  return re;
}

function rewriteAtomicGroups(src: string): string {
  let out = "";
  let captures = 0;
  let inClass = false;
  const stack: Array<number | null> = []; // per open paren: backreference number for atomic groups
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? "";
    if (ch === "\\") {
      out += ch + (src[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
    } else if (ch === "(") {
      if (src.startsWith("(?>", i)) {
        captures++;
        stack.push(captures);
        out += "(?:(?=(";
        i += 2;
      } else {
        if (src[i + 1] !== "?") captures++;
        stack.push(null);
        out += ch;
      }
    } else if (ch === ")") {
      const ref = stack.pop();
      out += ref === undefined || ref === null ? ")" : `))\\${ref})`;
    } else {
      out += ch;
    }
  }
  return out;
}
