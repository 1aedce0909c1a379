// mDDPM's frequency-patch masking of a training slice (FPM-CM, M:src/models/mDDPM.py:17-63, 180-213; BASELINES.md 10).
import type { Rng } from '../../rng.ts';

/**
 * The centred square's half side v is drawn from [2, 10], the number of patches from [0, 5]; patch sides lie in
 * [L_max / 2, L_max] with L_max = floor(rows with brain / 10 * 1.8); patches start 5 pixels in, 10 + L_max short of the end.
 */
export const MDDPM_MASKING = { minHalfSide: 2, maxHalfSide: 10, maxPatches: 5, sideFactor: 1.8, margin: 5, endMargin: 10 } as const;

/** a[d] = (1/n) sum_{k = -v}^{v-1} exp(2 pi i k d / n): the circular kernel of keeping frequencies -v .. v-1 of n. */
function bandKernel(n: number, v: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let d = 0; d < n; d++) {
    for (let k = -v; k < v; k++) {
      re[d] += Math.cos((2 * Math.PI * k * d) / n) / n;
      im[d] += Math.sin((2 * Math.PI * k * d) / n) / n;
    }
  }
  return { re, im };
}

/**
 * Re(ifft2(ifftshift(fftshift(fft2(x)) * M))) for the square M = [n/2 - v, n/2 + v)^2 of the shifted spectrum (an
 * n x n slice, row-major): M is separable, so it is a complex circular convolution along rows, then along columns.
 */
export function lowPass(slice: Float32Array, n: number, v: number): Float64Array {
  const { re: a, im: b } = bandKernel(n, v);
  const tRe = new Float64Array(n * n);
  const tIm = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let p = 0; p < n; p++) {
      let sr = 0;
      let si = 0;
      for (let q = 0; q < n; q++) {
        const d = (p - q + n) % n;
        const x = slice[r * n + q];
        sr += a[d] * x;
        si += b[d] * x;
      }
      tRe[r * n + p] = sr;
      tIm[r * n + p] = si;
    }
  }
  const out = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < n; p++) {
      let s = 0;
      for (let q = 0; q < n; q++) {
        const d = (p - q + n) % n;
        s += a[d] * tRe[q * n + c] - b[d] * tIm[q * n + c];
      }
      out[p * n + c] = s;
    }
  }
  return out;
}

/** Python's random.randint(lo, hi), both ends included. */
function randint(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/**
 * The masked training input of an n x n slice (row-major) with its brain mask: a low- or high-pass version of the
 * slice pasted into 0-5 random patches inside the brain's bounding rows and columns, then everything times the mask.
 * A patch whose start range is empty (a small brain) is skipped; the reference would raise there.
 */
export function maskedInput(slice: Float32Array, brainMask: Float32Array, n: number, rng: Rng): Float32Array {
  const m = MDDPM_MASKING;
  const highPass = rng.int(2) === 0;
  const v = randint(rng, m.minHalfSide, m.maxHalfSide);
  const low = lowPass(slice, n, v);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (brainMask[r * n + c] === 0) continue;
      rows.push(r);
      cols.push(c);
    }
  }
  const out = Float32Array.from(slice);
  const patches = randint(rng, 0, m.maxPatches);
  if (rows.length > 0) {
    const firstRow = Math.min(...rows);
    const lastRow = Math.max(...rows);
    const firstCol = Math.min(...cols);
    const lastCol = Math.max(...cols);
    const maxSide = Math.floor(((new Set(rows).size) / 10) * m.sideFactor);
    const minSide = Math.floor(maxSide / 2);
    for (let i = 0; i < patches; i++) {
      const h = randint(rng, minSide, maxSide);
      const w = randint(rng, minSide, maxSide);
      if (lastRow - m.endMargin - maxSide < firstRow || lastCol - m.endMargin - maxSide < firstCol) continue;
      const r0 = randint(rng, firstRow, lastRow - m.endMargin - maxSide) + m.margin;
      const c0 = randint(rng, firstCol, lastCol - m.endMargin - maxSide) + m.margin;
      // As the reference: w rows by h columns.
      for (let r = r0; r < Math.min(n, r0 + w); r++) {
        for (let c = c0; c < Math.min(n, c0 + h); c++) out[r * n + c] = highPass ? slice[r * n + c] - low[r * n + c] : low[r * n + c];
      }
    }
  }
  for (let p = 0; p < out.length; p++) out[p] *= brainMask[p] !== 0 ? 1 : 0;
  return out;
}
