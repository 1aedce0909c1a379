// Training and validation slices from conformed 96 x 96 x 50 volumes: AIR, brain-slice filtering and epoch-wise slice sampling.
import { airTransform } from '../core/air.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { Dims3 } from '../core/volume.ts';
import type { Rng } from './rng.ts';

/** The conformed grid every engine input lives on (SPEC 1). */
export const CONFORMED_DIMS: Dims3 = PAPER_PROTOCOL.grid;

/** One healthy training or validation volume: conformed image on [0, 1] and its brain mask (non-zero = brain). */
export interface TrainingVolume {
  image: Float32Array;
  brainMask: ArrayLike<number>;
}

/** A volume ready for sampling: AIR applied when on, the axial slices that may be drawn, and its brain mask. */
export interface PreparedVolume {
  image: Float32Array;
  slices: number[];
  brainMask: ArrayLike<number>;
}

/** Applies AIR (on a copy) and lists the drawable slices; throws when a volume has none. */
export function prepareVolumes(volumes: readonly TrainingVolume[], air: boolean, brainSlicesOnly: boolean, dims: Dims3 = CONFORMED_DIMS): PreparedVolume[] {
  const [nx, ny, nz] = dims;
  const sliceSize = nx * ny;
  return volumes.map((v, index) => {
    if (v.image.length !== sliceSize * nz || v.brainMask.length !== v.image.length) {
      throw new RangeError(`training volume ${index}: expected ${nx} x ${ny} x ${nz} image and mask, got ${v.image.length} and ${v.brainMask.length} voxels`);
    }
    const image = air ? airTransform(v.image, v.brainMask) : v.image;
    const slices: number[] = [];
    for (let k = 0; k < nz; k++) {
      if (!brainSlicesOnly) {
        slices.push(k);
        continue;
      }
      for (let p = k * sliceSize; p < (k + 1) * sliceSize; p++) {
        if (v.brainMask[p] !== 0) {
          slices.push(k);
          break;
        }
      }
    }
    if (slices.length === 0) throw new RangeError(`training volume ${index}: no slice contains brain (empty brain mask)`);
    return { image, slices, brainMask: v.brainMask };
  });
}

/** Where the sampler is: the current epoch's volume order and the next position in it. */
export interface SamplerState {
  order: number[];
  position: number;
}

/**
 * One random slice per volume per epoch: each epoch visits the volumes in a fresh random order and
 * draws one allowed slice from each; batches run across epoch boundaries.
 */
export class SliceSampler {
  private order: number[];
  private position: number;

  constructor(private readonly volumes: readonly PreparedVolume[], private readonly rng: Rng, state?: SamplerState) {
    if (volumes.length === 0) throw new RangeError('SliceSampler: no training volumes');
    this.order = state ? [...state.order] : [];
    this.position = state ? state.position : 0;
  }

  state(): SamplerState {
    return { order: [...this.order], position: this.position };
  }

  next(): { volume: number; slice: number } {
    if (this.position >= this.order.length) {
      this.order = this.volumes.map((_, i) => i);
      for (let i = this.order.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
      }
      this.position = 0;
    }
    const volume = this.order[this.position++];
    const allowed = this.volumes[volume].slices;
    return { volume, slice: allowed[this.rng.int(allowed.length)] };
  }
}

/** Copies axial slice k of a volume (x fastest: row j, column i) into out at offset. */
export function copySlice(image: Float32Array, k: number, dims: Dims3, out: Float32Array, offset: number): void {
  const size = dims[0] * dims[1];
  out.set(image.subarray(k * size, (k + 1) * size), offset);
}
