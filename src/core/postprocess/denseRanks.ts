// Dense ranks of a float32 volume's values (equal values share a rank), by a radix sort: no comparisons.

/** Distinct values of a map in ascending order, and each voxel's index into them. */
export interface DenseRanks {
  /** Distinct values, ascending; zeros (+0 and -0) are one value, +0. */
  readonly values: Float32Array;
  /** rankOf[p]: index of map[p] in values. */
  readonly rankOf: Int32Array;
  /** Index of 0 in values, or -1 when the map has no zero. */
  readonly zeroRank: number;
}

/** Float32 bit pattern -> unsigned key that sorts like the number (negatives flipped). */
function orderedKey(bits: number): number {
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/**
 * Ranks every voxel of a finite map by an LSD radix sort of the non-zero values' keys (3 passes of 11 bits, a pass
 * skipped when all keys share its digit). Zeros, the masked background, are ranked as one value without entering
 * the sort. Throws a RangeError naming `what` on NaN or infinite values.
 * @example const { values, rankOf } = denseRanks(map, 'medianFilter3D'); // values[rankOf[p]] === map[p]
 */
export function denseRanks(map: Float32Array, what: string): DenseRanks {
  const bits = new Uint32Array(map.buffer, map.byteOffset, map.length);
  let nonZero = 0;
  for (let p = 0; p < map.length; p++) {
    const v = map[p];
    if (v - v !== 0) throw new RangeError(`${what}: the map must be finite, found ${v} at index ${p}`);
    if (v !== 0) nonZero++;
  }
  let keys = new Uint32Array(nonZero);
  let index = new Int32Array(nonZero);
  const histograms = new Int32Array(3 * 2048);
  for (let p = 0, n = 0; p < map.length; p++) {
    if (map[p] === 0) continue;
    const key = orderedKey(bits[p]);
    keys[n] = key;
    index[n++] = p;
    histograms[key & 2047]++;
    histograms[2048 + ((key >>> 11) & 2047)]++;
    histograms[4096 + (key >>> 22)]++;
  }
  let keysTmp = new Uint32Array(nonZero);
  let indexTmp = new Int32Array(nonZero);
  for (let pass = 0; pass < 3; pass++) {
    const shift = 11 * pass;
    const base = 2048 * pass;
    if (nonZero === 0 || histograms[base + ((keys[0] >>> shift) & 2047)] === nonZero) continue;
    let offset = 0;
    for (let d = base; d < base + 2048; d++) {
      const c = histograms[d];
      histograms[d] = offset;
      offset += c;
    }
    for (let t = 0; t < nonZero; t++) {
      const key = keys[t];
      const dst = histograms[base + ((key >>> shift) & 2047)]++;
      keysTmp[dst] = key;
      indexTmp[dst] = index[t];
    }
    [keys, keysTmp] = [keysTmp, keys];
    [index, indexTmp] = [indexTmp, index];
  }

  const hasZero = nonZero < map.length;
  const values = new Float32Array(nonZero + (hasZero ? 1 : 0));
  const rankOf = new Int32Array(map.length);
  const zeroKey = 0x80000000;
  let rank = -1;
  let zeroRank = -1;
  let previous = -1;
  for (let t = 0; t < nonZero; t++) {
    const key = keys[t];
    if (hasZero && zeroRank < 0 && key > zeroKey) {
      zeroRank = ++rank;
      values[rank] = 0;
    }
    const p = index[t];
    if (key !== previous) {
      values[++rank] = map[p];
      previous = key;
    }
    rankOf[p] = rank;
  }
  if (hasZero) {
    if (zeroRank < 0) {
      zeroRank = ++rank;
      values[rank] = 0;
    }
    for (let p = 0; p < map.length; p++) if (map[p] === 0) rankOf[p] = zeroRank;
  }
  return { values: values.subarray(0, rank + 1), rankOf, zeroRank };
}
