// Float32 scores as order-preserving uint32 keys, their O(n) radix sort, and the float32 just below a value.

import { FqlabError } from '../errors.ts';

/**
 * Key of one float32 bit pattern: unsigned order of keys = numeric order of the floats.
 * -0 is folded onto +0 (they compare equal as scores). Callers reject non-finite values first.
 */
export function float32Key(bits: number): number {
  // Negative floats: flip every bit (reverses their order); others: set the sign bit.
  const key = (bits ^ ((bits >> 31) | 0x80000000)) >>> 0;
  return key === 0x7fffffff ? 0x80000000 : key; // -0 -> the key of +0
}

/** The float32 bit pattern a key came from (inverse of float32Key, -0 returned as +0). */
export function keyToFloat32Bits(key: number): number {
  return key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
}

/** True when a float32 bit pattern is NaN or +-Infinity (all exponent bits set). */
export function isNonFiniteBits(bits: number): boolean {
  return (bits & 0x7f800000) === 0x7f800000;
}

/** The raw bits of a Float32Array, without copying. */
export function float32Bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Throws the shared "scores must be finite" error for the map called `what`. */
export function nonFiniteScoreError(what: string): FqlabError {
  return new FqlabError(
    'non-finite',
    what,
    'contains NaN or infinite scores; metrics need finite anomaly scores (check the map that produced them)',
  );
}

/**
 * Sorts uint32 keys ascending with a 3-pass LSD radix sort (11 + 11 + 10 bits), skipping passes where
 * every key shares the digit. O(n); on 460,800 keys it is several times faster than the native comparison sort.
 * Returns whichever of `keys` / `scratch` ends up holding the sorted keys (both are overwritten).
 */
export function radixSortKeys(keys: Uint32Array, scratch: Uint32Array): Uint32Array {
  const n = keys.length;
  if (n < 2) return keys;
  const low = new Uint32Array(2048);
  const mid = new Uint32Array(2048);
  const high = new Uint32Array(1024);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    low[k & 2047]++;
    mid[(k >>> 11) & 2047]++;
    high[k >>> 22]++;
  }
  let src = keys;
  let dst = scratch;
  const passes: [Uint32Array, number][] = [
    [low, 0],
    [mid, 11],
    [high, 22],
  ];
  for (const [counts, shift] of passes) {
    const mask = counts.length - 1;
    if (counts[(src[0] >>> shift) & mask] === n) continue;
    let offset = 0;
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b];
      counts[b] = offset;
      offset += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i];
      dst[counts[(k >>> shift) & mask]++] = k;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/** Sorted copy (ascending) of finite float32 values; -0 comes back as +0. Throws on NaN/Infinity. */
export function sortFloat32Ascending(values: Float32Array, what: string): Float32Array {
  const bits = float32Bits(values);
  const keys = new Uint32Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (isNonFiniteBits(b)) throw nonFiniteScoreError(what);
    keys[i] = float32Key(b);
  }
  const sorted = radixSortKeys(keys, new Uint32Array(values.length));
  for (let i = 0; i < sorted.length; i++) sorted[i] = keyToFloat32Bits(sorted[i]);
  return new Float32Array(sorted.buffer, 0, sorted.length);
}

const scratchF32 = new Float32Array(1);
const scratchBits = new Uint32Array(scratchF32.buffer);

/** The largest float32 strictly below a finite float32 value `x` (so `score > result` includes every score >= x). */
export function nextFloat32Below(x: number): number {
  scratchF32[0] = x;
  const b = scratchBits[0];
  if ((b & 0x7fffffff) === 0) scratchBits[0] = 0x80000001; // below +-0: the smallest negative subnormal
  else if (b & 0x80000000) scratchBits[0] = b + 1;
  else scratchBits[0] = b - 1;
  return scratchF32[0];
}
