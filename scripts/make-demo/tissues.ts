// Normal-tissue intensity classes (CSF, grey matter, white matter) of a T1 template, for lesions drawn from them.

/** Mean and standard deviation of one tissue class's intensities. */
export interface TissueClass {
  mean: number;
  std: number;
}

/** The three T1 tissue classes of a brain, darkest (CSF) to brightest (white matter). */
export interface TissueLevels {
  csf: TissueClass;
  greyMatter: TissueClass;
  whiteMatter: TissueClass;
}

/** Histogram bins and Lloyd iterations of the 1D three-class k-means (the histogram makes it exact and fast). */
const HISTOGRAM_BINS = 512;
const KMEANS_ITERATIONS = 50;
/** Initial class centres as fractions of the brain's intensity range (CSF dark, WM bright on T1). */
const INITIAL_CENTRES = [0.2, 0.55, 0.85] as const;

/**
 * Split the brain intensities (voxels with value > 0, as in the skull-stripped templates) into three classes by
 * 1D k-means on a histogram, and return each class's mean and standard deviation. Deterministic.
 */
export function tissueLevels(values: ArrayLike<number>): TissueLevels {
  let lo = Infinity;
  let hi = -Infinity;
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v <= 0) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) throw new RangeError('tissueLevels: the brain has no intensity contrast');
  const width = (hi - lo) / HISTOGRAM_BINS;
  const counts = new Float64Array(HISTOGRAM_BINS);
  const sums = new Float64Array(HISTOGRAM_BINS);
  const squares = new Float64Array(HISTOGRAM_BINS);
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v <= 0) continue;
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor((v - lo) / width));
    counts[bin]++;
    sums[bin] += v;
    squares[bin] += v * v;
  }
  const centres = INITIAL_CENTRES.map((f) => lo + f * (hi - lo));
  const classOf = (bin: number): number => {
    const v = lo + (bin + 0.5) * width;
    let best = 0;
    for (let c = 1; c < centres.length; c++) if (Math.abs(v - centres[c]) < Math.abs(v - centres[best])) best = c;
    return best;
  };
  for (let iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
    const total = [0, 0, 0];
    const count = [0, 0, 0];
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      const c = classOf(bin);
      total[c] += sums[bin];
      count[c] += counts[bin];
    }
    for (let c = 0; c < 3; c++) if (count[c] > 0) centres[c] = total[c] / count[c];
  }
  const stats = [0, 1, 2].map(() => ({ count: 0, sum: 0, squares: 0 }));
  for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
    const s = stats[classOf(bin)];
    s.count += counts[bin];
    s.sum += sums[bin];
    s.squares += squares[bin];
  }
  const [csf, greyMatter, whiteMatter] = stats.map(({ count, sum, squares: sq }): TissueClass => {
    const mean = sum / count;
    return { mean, std: Math.sqrt(Math.max(0, sq / count - mean * mean)) };
  });
  return { csf, greyMatter, whiteMatter };
}
