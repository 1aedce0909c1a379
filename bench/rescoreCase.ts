// A realistic rescoring input for bench/rescore.bench.ts: a demo case's FQ ingredients, brain mask and labels.
import { readFileSync } from 'node:fs';
import { readNifti } from '../src/core/nifti/index.ts';
import { l1Map, ssimLossMap } from '../src/core/quality/index.ts';
import type { Dims3 } from '../src/core/volume.ts';

/** What one alpha move rescores: the cached SSIM loss and l1 maps, the brain mask and the segmentation. */
export interface RescoreCase {
  caseId: string;
  dims: Dims3;
  ssimLoss: Float32Array;
  l1: Float32Array;
  brainMask: Float32Array;
  seg: Float32Array;
}

/** Demo lesions are darker than the tissue around them by this factor (public/demo manifest lesionModel, mid-range). */
const LESION_INTENSITY_RATIO = 0.42;

/** 3D box blur of radius 1 with clamped borders: a stand-in reconstruction that smooths away noise. */
function boxBlur(x: Float32Array, dims: Dims3): Float32Array {
  const [nx, ny, nz] = dims;
  const out = new Float32Array(x.length);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        let sum = 0;
        let count = 0;
        for (let dk = -1; dk <= 1; dk++) {
          for (let dj = -1; dj <= 1; dj++) {
            for (let di = -1; di <= 1; di++) {
              const a = i + di;
              const b = j + dj;
              const c = k + dk;
              if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
              sum += x[a + nx * (b + ny * c)];
              count++;
            }
          }
        }
        out[i + nx * (j + ny * k)] = sum / count;
      }
    }
  }
  return out;
}

/**
 * Loads public/demo/<caseId> and makes the maps a model would leave: the reconstruction is the blurred image with
 * its lesions "healed" (brightened back to tissue level), so the FQ map is noise plus a lesion signal.
 */
export function loadRescoreCase(caseId = 'test-01'): RescoreCase {
  const read = (suffix: string): { data: Float32Array; dims: Dims3 } => {
    const name = `${caseId}_${suffix}.nii.gz`;
    const { volume } = readNifti(new Uint8Array(readFileSync(new URL(`../public/demo/${name}`, import.meta.url))), name);
    return { data: volume.data, dims: volume.dims };
  };
  const image = read('T1');
  const brainMask = read('brainmask').data;
  const seg = read('seg').data;
  const reconstruction = boxBlur(image.data, image.dims);
  for (let p = 0; p < seg.length; p++) {
    if (seg[p] !== 0) reconstruction[p] = Math.min(1, reconstruction[p] / LESION_INTENSITY_RATIO);
  }
  return {
    caseId,
    dims: image.dims,
    ssimLoss: ssimLossMap(image.data, reconstruction, image.dims),
    l1: l1Map(image.data, reconstruction),
    brainMask,
    seg,
  };
}
