// Small synthetic "brains" on the conformed 96 x 96 x 50 grid for engine tests (no patient data needed).
import { Rng } from '../../src/engine/rng.ts';
import type { TrainingVolume } from '../../src/engine/trainingData.ts';

/** Seeded values in [-1, 1) from a linear congruential sequence: the same inputs on every backend. */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

/** An ellipsoid brain with smooth tissue contrast, a bright core and mild noise; background exactly 0. */
export function syntheticVolume(seed: number, nx = 96, ny = 96, nz = 50): TrainingVolume {
  const rng = new Rng(`synthetic:${seed}`);
  const image = new Float32Array(nx * ny * nz);
  const brainMask = new Uint8Array(nx * ny * nz);
  const rx = 30 + 6 * rng.next();
  const ry = 36 + 6 * rng.next();
  const rz = 20 + 3 * rng.next();
  const phase = 2 * Math.PI * rng.next();
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const u = (i - nx / 2) / rx;
        const v = (j - ny / 2) / ry;
        const w = (k - nz / 2) / rz;
        const r = Math.sqrt(u * u + v * v + w * w);
        if (r >= 1) continue;
        const p = i + nx * (j + ny * k);
        brainMask[p] = 1;
        const tissue = 0.45 + 0.15 * Math.sin(6 * u + phase) * Math.cos(5 * v) + (r < 0.35 ? 0.3 : 0);
        image[p] = Math.min(1, Math.max(0.05, tissue + 0.02 * rng.normal()));
      }
    }
  }
  return { image, brainMask };
}
