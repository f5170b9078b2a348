// What every soak suite returns: its figures (what was done, how much, how fast, how big) and the invariants it
// checked, each held or broken with evidence. run.ts renders these into RELIABILITY.md; the tests assert them.

/** test: the short versions inside `npm test`; quick: `npm run soak -- --quick`; full: `npm run soak`. */
export type Profile = "test" | "quick" | "full";

export const PROFILES: readonly Profile[] = ["test", "quick", "full"];

/** Marks the line on which a suite process prints its result (suite-main.ts → run.ts). */
export const RESULT_PREFIX = "SOAK-RESULT ";

export interface Figure {
  label: string;
  value: string | number;
}

export interface Check {
  /** The invariant, stated as a sentence that is true when it held. */
  invariant: string;
  held: boolean;
  /** Measured support (counts) or, when broken, the first pieces of evidence. */
  detail: string;
}

export interface SuiteResult {
  suite: string;
  title: string;
  profile: Profile;
  durationMs: number;
  figures: Figure[];
  checks: Check[];
  /** A suite that could not run on this machine (e.g. not root) says why; its checks are empty. */
  skipped?: string;
}

/** Collects figures and checks while a suite runs. */
export class ResultBuilder {
  readonly #started = performance.now();
  readonly figures: Figure[] = [];
  readonly checks: Check[] = [];
  readonly suite: string;
  readonly title: string;
  readonly profile: Profile;

  constructor(suite: string, title: string, profile: Profile) {
    this.suite = suite;
    this.title = title;
    this.profile = profile;
  }

  figure(label: string, value: string | number): void {
    this.figures.push({ label, value });
  }

  /** Records an invariant; `evidence` (when broken) is cut to its first few items. */
  check(
    invariant: string,
    held: boolean,
    detail: string,
    evidence: readonly string[] = [],
  ): boolean {
    const shown = evidence.slice(0, 5).join(" | ");
    const more = evidence.length > 5 ? ` (+${evidence.length - 5} more)` : "";
    this.checks.push({
      invariant,
      held,
      detail: held || !shown ? detail : `${detail}; ${shown}${more}`,
    });
    return held;
  }

  done(skipped?: string): SuiteResult {
    return {
      suite: this.suite,
      title: this.title,
      profile: this.profile,
      durationMs: Math.round(performance.now() - this.#started),
      figures: this.figures,
      checks: this.checks,
      ...(skipped === undefined ? {} : { skipped }),
    };
  }
}

/** The broken checks of a result, one line each (for assertion messages and the run's exit status). */
export function broken(result: SuiteResult): string[] {
  return result.checks
    .filter((c) => !c.held)
    .map((c) => `${result.suite}: ${c.invariant} — ${c.detail}`);
}
