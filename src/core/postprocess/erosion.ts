// Slice-by-slice 2D erosion of the brain mask (SPEC 5.1), so rim artefacts at the brain border do not count as anomalies.
import { PAPER_PROTOCOL } from '../protocol.ts';
import type { Dims3 } from '../volume.ts';
import { assertGridLength } from '../quality/gridCheck.ts';

/**
 * Erodes each axial slice of a mask `iterations` times with the 3 x 3 cross, pixels outside the slice
 * counting as background: scipy.ndimage.binary_erosion(slice, generate_binary_structure(2, 1),
 * iterations, border_value=0) per slice. Any non-zero mask value is foreground. iterations = 0 returns
 * the binarised mask unchanged (unlike scipy, where 0 means "until nothing changes").
 *
 * n crosses in a row erode by the city-block diamond of radius n, so a pixel survives iff its
 * city-block distance to the nearest background pixel (or to outside the slice) exceeds n; one
 * two-pass distance transform per slice gives that for any n.
 * @example const eroded = erodeMask2D(brainMask, [96, 96, 50]);
 */
export function erodeMask2D(mask: ArrayLike<number>, dims: Dims3, iterations = PAPER_PROTOCOL.postprocess.brainMaskErosions): Uint8Array {
  assertGridLength(mask.length, dims, 'erodeMask2D');
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new RangeError(`erodeMask2D: iterations must be a non-negative integer, got ${iterations}`);
  }
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(mask.length);
  if (iterations === 0) {
    for (let p = 0; p < mask.length; p++) out[p] = mask[p] !== 0 ? 1 : 0;
    return out;
  }
  const far = nx + ny + 1; // larger than any city-block distance inside a slice
  const dist = new Int32Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const q = j * nx + i;
        if (mask[base + q] === 0) {
          dist[q] = 0;
          continue;
        }
        // Outside the slice is background at distance 0, one step beyond the edge.
        const left = i > 0 ? dist[q - 1] : 0;
        const up = j > 0 ? dist[q - nx] : 0;
        dist[q] = Math.min(far, left + 1, up + 1);
      }
    }
    for (let j = ny - 1; j >= 0; j--) {
      for (let i = nx - 1; i >= 0; i--) {
        const q = j * nx + i;
        if (dist[q] === 0) continue;
        const right = i < nx - 1 ? dist[q + 1] : 0;
        const down = j < ny - 1 ? dist[q + nx] : 0;
        const d = Math.min(dist[q], right + 1, down + 1);
        dist[q] = d;
        out[base + q] = d > iterations ? 1 : 0;
      }
    }
  }
  return out;
}
