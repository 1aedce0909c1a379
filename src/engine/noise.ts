// The diffusion noise eps: Gaussian, or the reference's simplex field shared by a batch (SPEC 3).
import type { Rng } from './rng.ts';
import { SIMPLEX_DEFAULTS, seededNoise3D, simplexField, type SimplexParams } from './simplexNoise.ts';

export type NoiseType = 'gaussian' | 'simplex';

/** One rows x cols field of `type` at diffusion step t (t only matters for simplex, as its z). */
export function noiseField(type: NoiseType, rng: Rng, t: number, rows: number, cols: number, simplex: SimplexParams = SIMPLEX_DEFAULTS): Float32Array {
  if (type === 'gaussian') return rng.fillNormal(new Float32Array(rows * cols));
  return simplexField(seededNoise3D(rng), t, rows, cols, simplex);
}

/**
 * Noise for a training batch of `count` slices, count * rows * cols values. Gaussian: independent per
 * slice. Simplex: one field for the whole batch (the reference's choice), drawn at z = t of the
 * batch's first sample, since the batch's samples have different t but share one field.
 */
export function noiseBatch(type: NoiseType, rng: Rng, t: ArrayLike<number>, rows: number, cols: number, simplex: SimplexParams = SIMPLEX_DEFAULTS): Float32Array {
  const count = t.length;
  const size = rows * cols;
  if (type === 'gaussian') return rng.fillNormal(new Float32Array(count * size));
  const field = simplexField(seededNoise3D(rng), t[0], rows, cols, simplex);
  const out = new Float32Array(count * size);
  for (let i = 0; i < count; i++) out.set(field, i * size);
  return out;
}
