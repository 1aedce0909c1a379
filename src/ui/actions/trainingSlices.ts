// How many axial slices of a healthy-train case training uses: brain slices without lesion (lesion slices are left out).
import { readNifti } from '../../core/nifti/index.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

export interface TrainingSliceCounts {
  slices: number;
  /** Slices with brain and no lesion: what training draws from. */
  used: number;
  /** Slices holding any lesion voxel, left out of training. */
  leftOut: number;
}

/** Counts from a brain mask and an optional label volume on the same grid (x fastest, z slowest). */
export function trainingSliceCounts(brainMask: ArrayLike<number>, labels: ArrayLike<number> | null, dims: readonly [number, number, number]): TrainingSliceCounts {
  const [nx, ny, nz] = dims;
  const size = nx * ny;
  let used = 0;
  let leftOut = 0;
  for (let k = 0; k < nz; k++) {
    let brain = false;
    let lesion = false;
    for (let p = k * size; p < (k + 1) * size && !lesion; p++) {
      if (labels !== null && labels[p] !== 0) lesion = true;
      else if (brainMask[p] !== 0) brain = true;
    }
    if (lesion) leftOut++;
    else if (brain) used++;
  }
  return { slices: nz, used, leftOut };
}

/** The counts for a conformed case, from its brain-mask and segmentation layers in the worker. */
export async function countTrainingSlices(caseId: string, hasSegmentation: boolean): Promise<TrainingSliceCounts> {
  const read = async (layer: 'brain-mask' | 'segmentation') => {
    const file = await workbenchWorker().getLayer({ caseId, layer });
    return readNifti(file.bytes, file.fileName).volume;
  };
  const mask = await read('brain-mask');
  const labels = hasSegmentation ? (await read('segmentation')).data : null;
  return trainingSliceCounts(mask.data, labels, mask.dims);
}
