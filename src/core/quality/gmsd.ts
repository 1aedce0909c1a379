// Per-voxel gradient-magnitude-similarity loss per axial slice (GMSD, Xue, Zhang, Mou & Bovik 2014), a structural term the FQ map may use instead of SSIM.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength, assertSameLength } from './gridCheck.ts';

/** GMSD's stabiliser for intensities in [0, 1] (Xue's 170 on [0, 255] is 0.0026 * 255^2). */
export const GMSD_C = PAPER_PROTOCOL.structural.gmsdC;

/**
 * Gradient magnitude of one nx x ny slice with the Prewitt filters h_x = [1 0 -1; 1 0 -1; 1 0 -1] / 3 and h_y = h_x^T,
 * zero padding, same size (MATLAB conv2 'same'; the sign convention does not change the magnitude).
 */
function gradientMagnitude(image: Float32Array, offset: number, nx: number, ny: number): Float64Array {
  const at = (i: number, j: number): number => (i < 0 || j < 0 || i >= nx || j >= ny ? 0 : image[offset + j * nx + i]);
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      let gx = 0;
      let gy = 0;
      for (let t = -1; t <= 1; t++) {
        gx += at(i - 1, j + t) - at(i + 1, j + t);
        gy += at(i + t, j - 1) - at(i + t, j + 1);
      }
      out[j * nx + i] = Math.hypot(gx / 3, gy / 3);
    }
  }
  return out;
}

/**
 * Per-voxel GMS loss 1 - GMS per axial slice, in [0, 1), with GMS = (2 m_x m_y + c) / (m_x^2 + m_y^2 + c) and m the
 * Prewitt gradient magnitude, c = 0.0026 L^2 (L = 1, as SSIM's). Xue's GMSD is the standard deviation of the GMS map
 * over the image; a per-voxel map keeps its per-pixel term instead, and skips Xue's 2x downsampling (meant for
 * 512-pixel photographs at a viewing distance) so the map stays on the grid.
 * @example const loss = gmsLossMap(input, reconstruction, [96, 96, 50]);
 */
export function gmsLossMap(x: Float32Array, y: Float32Array, dims: Dims3, out?: Float32Array): Float32Array {
  assertSameLength(x, y, 'gmsLossMap');
  assertGridLength(x.length, dims, 'gmsLossMap');
  const [nx, ny, nz] = dims;
  const result = out ?? new Float32Array(x.length);
  assertSameLength(result, x, 'gmsLossMap output');
  const n = nx * ny;
  for (let k = 0; k < nz; k++) {
    const mx = gradientMagnitude(x, k * n, nx, ny);
    const my = gradientMagnitude(y, k * n, nx, ny);
    for (let p = 0; p < n; p++) {
      result[k * n + p] = 1 - (2 * mx[p] * my[p] + GMSD_C) / (mx[p] * mx[p] + my[p] * my[p] + GMSD_C);
    }
  }
  return result;
}
