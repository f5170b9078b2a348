// Order statistics for benchmark samples: medians and percentiles by the nearest-rank rule, so every reported
// figure is a value that was actually observed.

function checked(samples: readonly number[], what: string): number[] {
  if (samples.length === 0) throw new Error(`${what} of no samples`);
  for (const s of samples)
    if (!Number.isFinite(s)) throw new Error(`${what}: sample ${s} is not finite`);
  return [...samples].sort((a, b) => a - b);
}

/** The p-th percentile (0 < p <= 100) by nearest rank: the smallest sample with at least p % at or below it. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile ${p} is outside (0, 100]`);
  const sorted = checked(samples, `p${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] as number;
}

/** The median; for an even count, the mean of the two middle samples. */
export function median(samples: readonly number[]): number {
  const sorted = checked(samples, "median");
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

export function max(samples: readonly number[]): number {
  const sorted = checked(samples, "max");
  return sorted[sorted.length - 1] as number;
}

export function mean(samples: readonly number[]): number {
  const sorted = checked(samples, "mean");
  return sorted.reduce((a, b) => a + b, 0) / sorted.length;
}

/** Rounds to `digits` significant digits (for display and for a tidy results file). */
export function round(value: number, digits = 4): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(digits));
}
