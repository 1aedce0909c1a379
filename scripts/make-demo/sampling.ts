// Trilinear sampling of a volume at world positions (the warped output grid), for templates and lesion masks.
import type { Volume } from '../../src/core/volume.ts';
import type { WarpedPositions } from './augmentation.ts';
import { invertAffine } from './geometry.ts';

/** A template drawn on the output grid: intensities and its brain (1) / background (0). */
export interface SampledBrain {
  image: Float32Array;
  brain: Uint8Array;
}

/**
 * Visit the 8 trilinear neighbours of every position inside `volume`'s grid: visit(outIndex, base, weights) with
 * base the index of the lower corner and weights ordered (i, j, k) = 000, 100, 010, 110, 001, 101, 011, 111.
 * `mirrorX` samples at (-x, y, z) instead, i.e. the mirror image across the midsagittal plane x = 0 (MNI).
 */
function forEachNeighbourhood(
  volume: Volume,
  positions: WarpedPositions,
  mirrorX: boolean,
  visit: (outIndex: number, base: number, weights: Float64Array) => void,
): void {
  const inverse = invertAffine(volume.affine);
  const [nx, ny, nz] = volume.dims;
  const weights = new Float64Array(8);
  const sign = mirrorX ? -1 : 1;
  for (let o = 0; o < positions.x.length; o++) {
    const x = sign * positions.x[o];
    const y = positions.y[o];
    const z = positions.z[o];
    const fi = inverse[0] * x + inverse[1] * y + inverse[2] * z + inverse[3];
    const fj = inverse[4] * x + inverse[5] * y + inverse[6] * z + inverse[7];
    const fk = inverse[8] * x + inverse[9] * y + inverse[10] * z + inverse[11];
    if (!(fi >= 0 && fj >= 0 && fk >= 0 && fi <= nx - 1 && fj <= ny - 1 && fk <= nz - 1)) continue;
    // Clamp the lower corner so positions exactly on the last voxel still have an upper neighbour inside.
    const i = Math.min(Math.floor(fi), nx - 2);
    const j = Math.min(Math.floor(fj), ny - 2);
    const k = Math.min(Math.floor(fk), nz - 2);
    const ti = fi - i;
    const tj = fj - j;
    const tk = fk - k;
    weights[0] = (1 - ti) * (1 - tj) * (1 - tk);
    weights[1] = ti * (1 - tj) * (1 - tk);
    weights[2] = (1 - ti) * tj * (1 - tk);
    weights[3] = ti * tj * (1 - tk);
    weights[4] = (1 - ti) * (1 - tj) * tk;
    weights[5] = ti * (1 - tj) * tk;
    weights[6] = (1 - ti) * tj * tk;
    weights[7] = ti * tj * tk;
    visit(o, i + nx * (j + ny * k), weights);
  }
}

function neighbourOffsets(volume: Volume): number[] {
  const [nx, ny] = volume.dims;
  return [0, 1, nx, nx + 1, nx * ny, nx * ny + 1, nx * ny + nx, nx * ny + nx + 1];
}

/**
 * Sample a skull-stripped template (brain = image > 0) at the warped positions. A voxel is brain when at least
 * half of its trilinear weight falls on brain voxels; its intensity is the trilinear mean over those brain
 * voxels only, so the brain's edge does not darken by blending with the zero background.
 */
export function sampleBrain(template: Volume, positions: WarpedPositions): SampledBrain {
  const image = new Float32Array(positions.x.length);
  const brain = new Uint8Array(positions.x.length);
  const offsets = neighbourOffsets(template);
  const data = template.data;
  forEachNeighbourhood(template, positions, false, (o, base, weights) => {
    let brainWeight = 0;
    let sum = 0;
    for (let n = 0; n < 8; n++) {
      const v = data[base + offsets[n]];
      if (v > 0) {
        brainWeight += weights[n];
        sum += weights[n] * v;
      }
    }
    if (brainWeight >= 0.5) {
      brain[o] = 1;
      image[o] = sum / brainWeight;
    }
  });
  return { image, brain };
}

/** Trilinear sample of `volume` at the warped positions (mirrored across x = 0 when asked); 0 outside its grid. */
export function sampleVolume(volume: Volume, positions: WarpedPositions, mirrorX: boolean): Float32Array {
  const out = new Float32Array(positions.x.length);
  const offsets = neighbourOffsets(volume);
  const data = volume.data;
  forEachNeighbourhood(volume, positions, mirrorX, (o, base, weights) => {
    let sum = 0;
    for (let n = 0; n < 8; n++) sum += weights[n] * data[base + offsets[n]];
    out[o] = sum;
  });
  return out;
}
