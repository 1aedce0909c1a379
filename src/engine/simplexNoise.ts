// Multi-octave simplex noise fields as the AnoDDPM / pDDPM reference draws them (SPEC 3).
import { createNoise3D, type NoiseFunction3D } from 'simplex-noise';
import type { Rng } from './rng.ts';

/** Reference parameters: 6 octaves, persistence 0.8, base "frequency" (a period in pixels) 64. */
export interface SimplexParams {
  octaves: number;
  persistence: number;
  frequency: number;
}

export const SIMPLEX_DEFAULTS: Readonly<SimplexParams> = { octaves: 6, persistence: 0.8, frequency: 64 };

/**
 * One 2D field: the 3D simplex function sampled on the plane z = t. For each pixel (column x, row y):
 *   total = sum over octaves of noise3(x / f, y / f, t / f) * a, with f = frequency / 2^o and
 *   a = persistence^o; not renormalised (|values| <= 3.69 with the defaults; std about 0.7 with this
 * simplex implementation).
 * Row-major, rows * cols values.
 */
export function simplexField(
  noise3D: NoiseFunction3D,
  t: number,
  rows: number,
  cols: number,
  params: SimplexParams = SIMPLEX_DEFAULTS,
  out: Float32Array = new Float32Array(rows * cols),
): Float32Array {
  out.fill(0);
  let frequency = params.frequency;
  let amplitude = 1;
  for (let o = 0; o < params.octaves; o++) {
    const z = t / frequency;
    for (let y = 0; y < rows; y++) {
      const yf = y / frequency;
      for (let x = 0; x < cols; x++) out[y * cols + x] += noise3D(x / frequency, yf, z) * amplitude;
    }
    amplitude *= params.persistence;
    frequency *= 0.5;
  }
  return out;
}

/** A fresh simplex function whose permutation table is drawn from `rng` (the reference reseeds per call). */
export function seededNoise3D(rng: Rng): NoiseFunction3D {
  return createNoise3D(() => rng.next());
}
