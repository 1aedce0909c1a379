// Mean and standard deviation of per-volume (or per-run) metrics, skipping undefined values.

/** Mean and std of the defined values, and how many there were. */
export interface Summary {
  mean: number | null;
  std: number | null;
  n: number;
}

/**
 * Mean and population standard deviation (ddof 0, numpy's default np.std, as the reference reports) of the
 * values, ignoring null and NaN (the reference uses np.nanmean / np.nanstd). mean and std are null when none remain.
 * @example
 * summarize([0.5, null, 0.7]); // { mean: 0.6, std: 0.1, n: 2 }
 */
export function summarize(values: readonly (number | null)[]): Summary {
  const defined = values.filter((v): v is number => v !== null && !Number.isNaN(v));
  const n = defined.length;
  if (n === 0) return { mean: null, std: null, n: 0 };
  let sum = 0;
  for (const v of defined) sum += v;
  const mean = sum / n;
  let squares = 0;
  for (const v of defined) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / n), n };
}
