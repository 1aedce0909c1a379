// Synthetic conformed cases and a fake denoiser for pipeline tests: a bright sphere "brain" with blob "lesions".
import { makeConformedCase, type ConformedCase } from '../../src/analysis/caseStore.ts';
import type { ReconstructionModel } from '../../src/analysis/pipeline.ts';
import { conformVolumes } from '../../src/core/conform/index.ts';
import type { Volume } from '../../src/core/volume.ts';
import type { DataSplit } from '../../workers/api.ts';
import { seededRandom } from '../support/seededRandom.ts';

const INPUT_DIMS = [110, 120, 64] as const;

function identityAffine(): Float64Array {
  const a = new Float64Array(16);
  a[0] = a[5] = a[10] = a[15] = 1;
  return a;
}

/** One synthetic scan on a 110x120x64 1 mm grid: textured ellipsoid brain, optional spherical lesions, conformed. */
export function syntheticCase(caseId: string, split: DataSplit, seed: number, lesions: number): ConformedCase {
  const random = seededRandom(seed);
  const [nx, ny, nz] = INPUT_DIMS;
  const n = nx * ny * nz;
  const image = new Float32Array(n);
  const mask = new Float32Array(n);
  const seg = new Float32Array(n);
  const centres = Array.from({ length: lesions }, () => [40 + random() * 30, 45 + random() * 30, 24 + random() * 16, 4 + random() * 4]);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const p = i + nx * (j + ny * k);
        const r = ((i - 55) / 42) ** 2 + ((j - 60) / 50) ** 2 + ((k - 32) / 26) ** 2;
        if (r > 1) continue;
        mask[p] = 1;
        image[p] = 300 + 200 * Math.sin(i / 5) * Math.cos(j / 7) + 50 * random();
        for (const [cx, cy, cz, radius] of centres) {
          if ((i - cx) ** 2 + (j - cy) ** 2 + (k - cz) ** 2 <= radius ** 2) {
            seg[p] = 1;
            image[p] = 900 + 50 * random();
          }
        }
      }
    }
  }
  const volume = (data: Float32Array): Volume => ({ dims: INPUT_DIMS, data, affine: identityAffine(), spacing: [1, 1, 1] });
  const fileName = `${caseId}.nii.gz`;
  const conformed = conformVolumes({ image: volume(image), brainMask: volume(mask), seg: lesions > 0 ? volume(seg) : undefined, fileName });
  return makeConformedCase({ caseId, split, modality: 'T2', imageFileName: fileName, ...conformed });
}

/**
 * A fake denoiser that "heals" bright outliers: each voxel above the volume's 97th percentile becomes the brain
 * mean, plus a small deterministic perturbation that depends on the noise level and seed. Counts its calls.
 */
export class FakeModel implements ReconstructionModel {
  calls = 0;
  inputs: Float32Array[] = [];

  constructor(
    readonly id: string,
    readonly airApplied = false,
  ) {}

  async reconstruct(input: Volume, noiseLevel: number, seed: number, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
    this.calls++;
    this.inputs.push(input.data);
    const data = input.data;
    let sum = 0;
    let count = 0;
    for (const v of data) {
      if (v > 0) {
        sum += v;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    const sorted = Float32Array.from(data).sort();
    const cut = sorted[Math.floor(0.97 * sorted.length)];
    const random = seededRandom(seed * 7919 + noiseLevel);
    const out = new Float32Array(data.length);
    const jitter = noiseLevel / 20000;
    for (let p = 0; p < data.length; p++) out[p] = (data[p] > cut ? mean : data[p]) + jitter * (random() - 0.5);
    onProgress?.(input.dims[2], input.dims[2]);
    return out;
  }
}
