// The system test's verdicts and figures: one PASS/FAIL line per check as it happens, the figures measured along
// the way, and the closing `N passed, N failed` line.
export class Report {
  passed = 0;
  failed = 0;
  readonly figures: [string, string][] = [];

  /** Runs one check: true passes; false, a string (the reason) or a throw fails. Never throws itself. */
  async check(
    name: string,
    fn: () => boolean | string | Promise<boolean | string>,
  ): Promise<boolean> {
    let verdict: boolean | string;
    try {
      verdict = await fn();
    } catch (err) {
      verdict = err instanceof Error ? err.message : String(err);
    }
    if (verdict === true) {
      this.passed++;
      console.log(`PASS ${name}`);
      return true;
    }
    this.failed++;
    const why = verdict === false ? "" : `: ${verdict.replace(/\s+/g, " ").slice(0, 600)}`;
    console.log(`FAIL ${name}${why}`);
    return false;
  }

  figure(name: string, value: string): void {
    this.figures.push([name, value]);
    console.log(`FIGURE ${name}: ${value}`);
  }

  close(): number {
    if (this.figures.length > 0) {
      console.log("figures:");
      for (const [k, v] of this.figures) console.log(`  ${k}: ${v}`);
    }
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}

/** Fails with `what` and the output when `cond` is false; returns true otherwise (for Report.check). */
export function expect(cond: boolean, what: string, detail = ""): true | string {
  return cond ? true : `${what}${detail ? ` — ${detail.trim().slice(-400)}` : ""}`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
