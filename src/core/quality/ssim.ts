// Reference SSIM and SSIM loss maps per axial slice (SPEC 4), in float64 so a tfjs SSIM can be checked against it.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { gaussianWindow1D } from './gaussianWindow.ts';
import { assertGridLength, assertSameLength } from './gridCheck.ts';

/** SSIM window side (pixels) and Gaussian sigma (SPEC 4). */
export const SSIM_WINDOW_SIZE = PAPER_PROTOCOL.ssim.windowSize;
export const SSIM_SIGMA = PAPER_PROTOCOL.ssim.sigma;
/** Stabilisers (0.01 L)^2 and (0.03 L)^2 with dynamic range L = 1. */
export const SSIM_C1 = PAPER_PROTOCOL.ssim.c1;
export const SSIM_C2 = PAPER_PROTOCOL.ssim.c2;

/**
 * SSIM of one pixel from its local Gaussian moments: means, E[x^2], E[y^2], E[xy].
 * Variances are E[x^2] - mu^2 (population, no n/(n-1) correction), as the reference computes them.
 */
export function ssimFromMoments(muX: number, muY: number, exx: number, eyy: number, exy: number): number {
  const muXX = muX * muX;
  const muYY = muY * muY;
  const muXY = muX * muY;
  return (
    ((2 * muXY + SSIM_C1) * (2 * (exy - muXY) + SSIM_C2)) /
    ((muXX + muYY + SSIM_C1) * (exx - muXX + (eyy - muYY) + SSIM_C2))
  );
}

/** The loss the paper scores with: clamp(1 - ssim, 0, 1) / 2, in [0, 0.5]. */
export function ssimLossFromSsim(ssim: number): number {
  const d = 1 - ssim;
  return (d < 0 ? 0 : d > 1 ? 1 : d) / 2;
}

/**
 * Same-size 2D Gaussian filter of one nx x ny image (x fastest) with zero padding, i.e. what
 * torch F.conv2d(image, window, padding=size//2) gives. Float64 result.
 * @example gaussianFilterSlice(slice, 96, 96) // local means mu for the SSIM of one slice
 */
export function gaussianFilterSlice(
  image: ArrayLike<number>,
  nx: number,
  ny: number,
  window1d: Float64Array = gaussianWindow1D(SSIM_WINDOW_SIZE, SSIM_SIGMA),
): Float64Array {
  assertGridLength(image.length, [nx, ny, 1], 'gaussianFilterSlice');
  const r = (window1d.length - 1) / 2;
  const rows = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let t = Math.max(-r, -i); t <= Math.min(r, nx - 1 - i); t++) s += window1d[t + r] * image[j * nx + i + t];
      rows[j * nx + i] = s;
    }
  }
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      let s = 0;
      for (let t = Math.max(-r, -j); t <= Math.min(r, ny - 1 - j); t++) s += window1d[t + r] * rows[(j + t) * nx + i];
      out[j * nx + i] = s;
    }
  }
  return out;
}

/** Scratch buffers for one slice: 5 moment images after the horizontal pass, plus a zero-padded row. */
interface SliceScratch {
  readonly h: Float64Array[]; // x, y, x^2, y^2, xy filtered along i
  readonly padded: Float64Array[]; // same 5 quantities of one row with r zeros each side
  readonly acc: Float64Array[]; // same 5 quantities of one output row after the vertical pass
}

function makeScratch(nx: number, ny: number, r: number): SliceScratch {
  const five = (n: number): Float64Array[] => Array.from({ length: 5 }, () => new Float64Array(n));
  return { h: five(nx * ny), padded: five(nx + 2 * r), acc: five(nx) };
}

/**
 * Runs the separable, zero-padded Gaussian filter over slice k of x and y and writes SSIM
 * (or the SSIM loss) into out. Both 1D passes accumulate in float64.
 */
function ssimSlice(
  x: Float32Array,
  y: Float32Array,
  nx: number,
  ny: number,
  k: number,
  g: Float64Array,
  s: SliceScratch,
  asLoss: boolean,
  out: Float32Array,
): void {
  const r = (g.length - 1) / 2;
  const base = k * nx * ny;
  const [hx, hy, hxx, hyy, hxy] = s.h;
  const [px, py, pxx, pyy, pxy] = s.padded;
  for (let j = 0; j < ny; j++) {
    const row = base + j * nx;
    for (let i = 0; i < nx; i++) {
      const a = x[row + i];
      const b = y[row + i];
      px[i + r] = a;
      py[i + r] = b;
      pxx[i + r] = a * a;
      pyy[i + r] = b * b;
      pxy[i + r] = a * b;
    }
    const o = j * nx;
    for (let i = 0; i < nx; i++) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let t = 0; t < g.length; t++) {
        const w = g[t];
        sx += w * px[i + t];
        sy += w * py[i + t];
        sxx += w * pxx[i + t];
        syy += w * pyy[i + t];
        sxy += w * pxy[i + t];
      }
      hx[o + i] = sx;
      hy[o + i] = sy;
      hxx[o + i] = sxx;
      hyy[o + i] = syy;
      hxy[o + i] = sxy;
    }
  }
  const [ax, ay, axx, ayy, axy] = s.acc;
  for (let j = 0; j < ny; j++) {
    for (const a of s.acc) a.fill(0);
    // Rows outside the slice are zero padding and contribute nothing.
    for (let t = Math.max(-r, -j); t <= Math.min(r, ny - 1 - j); t++) {
      const w = g[t + r];
      const o = (j + t) * nx;
      for (let i = 0; i < nx; i++) {
        ax[i] += w * hx[o + i];
        ay[i] += w * hy[o + i];
        axx[i] += w * hxx[o + i];
        ayy[i] += w * hyy[o + i];
        axy[i] += w * hxy[o + i];
      }
    }
    const row = base + j * nx;
    for (let i = 0; i < nx; i++) {
      const ssim = ssimFromMoments(ax[i], ay[i], axx[i], ayy[i], axy[i]);
      out[row + i] = asLoss ? ssimLossFromSsim(ssim) : ssim;
    }
  }
}

function ssimVolume(x: Float32Array, y: Float32Array, dims: Dims3, asLoss: boolean, out?: Float32Array): Float32Array {
  assertSameLength(x, y, 'ssim');
  assertGridLength(x.length, dims, 'ssim');
  const [nx, ny, nz] = dims;
  const result = out ?? new Float32Array(x.length);
  assertSameLength(result, x, 'ssim output');
  const g = gaussianWindow1D(SSIM_WINDOW_SIZE, SSIM_SIGMA);
  const scratch = makeScratch(nx, ny, (g.length - 1) / 2);
  for (let k = 0; k < nz; k++) ssimSlice(x, y, nx, ny, k, g, scratch, asLoss, result);
  return result;
}

/**
 * Per-pixel SSIM of each axial slice of x against y (SPEC 4 window, zero padding, same size).
 * @example const s = ssimMap(input, reconstruction, [96, 96, 50]);
 */
export function ssimMap(x: Float32Array, y: Float32Array, dims: Dims3, out?: Float32Array): Float32Array {
  return ssimVolume(x, y, dims, false, out);
}

/**
 * SSIM loss map clamp(1 - ssim, 0, 1) / 2 per axial slice (SPEC 4); identical images give 0.
 * @example const loss = ssimLossMap(input, reconstruction, [96, 96, 50]);
 */
export function ssimLossMap(x: Float32Array, y: Float32Array, dims: Dims3, out?: Float32Array): Float32Array {
  return ssimVolume(x, y, dims, true, out);
}
