// Per-voxel MS-SSIM loss per axial slice (Wang, Simoncelli & Bovik 2003), a structural term the FQ map may use instead of SSIM.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength, assertSameLength } from './gridCheck.ts';
import { gaussianWindow1D } from './gaussianWindow.ts';
import { SSIM_C1, SSIM_C2, SSIM_SIGMA, SSIM_WINDOW_SIZE, ssimLossFromSsim } from './ssim.ts';

/** Exponents of scales 1..M (finest first); the last also weighs the luminance term (Wang 2003's standard values). */
export const MS_SSIM_WEIGHTS = PAPER_PROTOCOL.structural.msSsimWeights;

/**
 * Halves a slice by 2 x 2 block means: output side ceil(n / 2); an odd last row or column is averaged with itself
 * (Wang's MATLAB code: a 2 x 2 mean filter with symmetric padding, then every second pixel).
 */
function halveSlice(image: Float64Array, nx: number, ny: number): Float64Array {
  const mx = Math.ceil(nx / 2);
  const my = Math.ceil(ny / 2);
  const out = new Float64Array(mx * my);
  for (let b = 0; b < my; b++) {
    const j0 = 2 * b;
    const j1 = Math.min(j0 + 1, ny - 1);
    for (let a = 0; a < mx; a++) {
      const i0 = 2 * a;
      const i1 = Math.min(i0 + 1, nx - 1);
      out[b * mx + a] = (image[j0 * nx + i0] + image[j0 * nx + i1] + image[j1 * nx + i0] + image[j1 * nx + i1]) / 4;
    }
  }
  return out;
}

/**
 * The SPEC 4 Gaussian filter of one w x h float64 image, zero padding, same size (gaussianFilterSlice's result, written
 * for float64 input only so the hot loop stays monomorphic); `a` times `b` is filtered when `b` is given.
 */
function gaussianMoment(a: Float64Array, b: Float64Array | null, w: number, h: number, g: Float64Array): Float64Array {
  const r = (g.length - 1) / 2;
  const rows = new Float64Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      let sum = 0;
      for (let t = Math.max(-r, -i); t <= Math.min(r, w - 1 - i); t++) {
        const p = j * w + i + t;
        sum += g[t + r] * (b === null ? a[p] : a[p] * b[p]);
      }
      rows[j * w + i] = sum;
    }
  }
  const out = new Float64Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      let sum = 0;
      for (let t = Math.max(-r, -j); t <= Math.min(r, h - 1 - j); t++) sum += g[t + r] * rows[(j + t) * w + i];
      out[j * w + i] = sum;
    }
  }
  return out;
}

/**
 * MS-SSIM of one nx x ny slice, per pixel, written into `msSsim` (float64, nx * ny). At scale j (j = 1 finest) the
 * slices are halved j - 1 times; there the SPEC 4 window (5 x 5 Gaussian, sigma 1.5, zero padding) gives
 * cs_j = (2 s_xy + C2) / (s_x^2 + s_y^2 + C2), and at the coarsest scale M also l_M = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1).
 * Per-voxel adaptation: pixel (i, j) takes each scale's value at (i >> (s - 1), j >> (s - 1)) (nearest upsampling) and
 * MS-SSIM = max(0, l_M)^w_M * prod_s max(0, cs_s)^w_s (negative terms clamped to 0, as common implementations do, so
 * the fractional powers stay real).
 */
function msSsimSlice(x: Float64Array, y: Float64Array, nx: number, ny: number, msSsim: Float64Array): void {
  msSsim.fill(1);
  const g = gaussianWindow1D(SSIM_WINDOW_SIZE, SSIM_SIGMA);
  let sx = x;
  let sy = y;
  let w = nx;
  let h = ny;
  const scales = MS_SSIM_WEIGHTS.length;
  for (let s = 0; s < scales; s++) {
    const muX = gaussianMoment(sx, null, w, h, g);
    const muY = gaussianMoment(sy, null, w, h, g);
    const exx = gaussianMoment(sx, sx, w, h, g);
    const eyy = gaussianMoment(sy, sy, w, h, g);
    const exy = gaussianMoment(sx, sy, w, h, g);
    const last = s === scales - 1;
    const weight = MS_SSIM_WEIGHTS[s];
    const term = new Float64Array(w * h);
    for (let p = 0; p < w * h; p++) {
      const mxy = muX[p] * muY[p];
      const mxx = muX[p] * muX[p];
      const myy = muY[p] * muY[p];
      let value = (2 * (exy[p] - mxy) + SSIM_C2) / (exx[p] - mxx + (eyy[p] - myy) + SSIM_C2);
      if (last) value = Math.max(0, value) * Math.max(0, (2 * mxy + SSIM_C1) / (mxx + myy + SSIM_C1));
      term[p] = Math.max(0, value) ** weight;
    }
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) msSsim[j * nx + i] *= term[(j >> s) * w + (i >> s)];
    }
    if (!last) {
      sx = halveSlice(sx, w, h);
      sy = halveSlice(sy, w, h);
      w = Math.ceil(w / 2);
      h = Math.ceil(h / 2);
    }
  }
}

/**
 * Per-voxel MS-SSIM loss clamp(1 - ms-ssim, 0, 1) / 2 per axial slice (the SSIM loss's scaling, so alpha means
 * the same mix); identical slices give 0.
 * @example const loss = msSsimLossMap(input, reconstruction, [96, 96, 50]);
 */
export function msSsimLossMap(x: Float32Array, y: Float32Array, dims: Dims3, out?: Float32Array): Float32Array {
  assertSameLength(x, y, 'msSsimLossMap');
  assertGridLength(x.length, dims, 'msSsimLossMap');
  const [nx, ny, nz] = dims;
  const result = out ?? new Float32Array(x.length);
  assertSameLength(result, x, 'msSsimLossMap output');
  const n = nx * ny;
  const msSsim = new Float64Array(n);
  for (let k = 0; k < nz; k++) {
    msSsimSlice(Float64Array.from(x.subarray(k * n, (k + 1) * n)), Float64Array.from(y.subarray(k * n, (k + 1) * n)), nx, ny, msSsim);
    for (let p = 0; p < n; p++) result[k * n + p] = ssimLossFromSsim(msSsim[p]);
  }
  return result;
}
