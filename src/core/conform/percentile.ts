// Percentiles with numpy.percentile's default 'linear' method, by selection instead of a full sort (millions of voxels).

/** Reorder `values` so values[k] is the k-th smallest, smaller ones before it and larger ones after (Hoare/quickselect). */
function selectInPlace(values: Float32Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted and constant runs from going quadratic.
    const a = values[lo];
    const b = values[mid];
    const c = values[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** numpy's _lerp: a + (b - a) t, computed from b's side for t >= 0.5 as numpy does. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Percentiles q (0..100) of `values`, matching numpy.percentile(values.astype(float64), q) (method 'linear':
 * position q/100 * (n - 1), linear interpolation between the two neighbouring order statistics).
 * `values` is reordered in place. Throws on an empty array.
 */
export function percentilesInPlace(values: Float32Array, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new RangeError('percentile of an empty set of values');
  return qs.map((q) => {
    const position = (q / 100) * (n - 1);
    const below = Math.floor(position);
    const t = position - below;
    selectInPlace(values, below, 0, n - 1);
    const a = values[below];
    if (below + 1 >= n) return a;
    // After selection everything right of `below` is >= a, so the next order statistic is their minimum.
    let b = Infinity;
    for (let i = below + 1; i < n; i++) if (values[i] < b) b = values[i];
    return lerp(a, b, t);
  });
}
