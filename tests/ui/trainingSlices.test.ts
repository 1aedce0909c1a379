// Healthy-train slice counts: brain slices without lesion are used, slices with any lesion voxel are left out.
import { describe, expect, it } from 'vitest';
import { trainingSliceCounts } from '../../src/ui/actions/trainingSlices.ts';

describe('trainingSliceCounts', () => {
  const dims = [2, 2, 5] as const;
  // Slice 0 has no brain; slices 1-4 have brain.
  const mask = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1]);

  it('uses every brain slice without a segmentation', () => {
    expect(trainingSliceCounts(mask, null, dims)).toEqual({ slices: 5, used: 4, leftOut: 0 });
  });

  it('leaves out slices with any lesion label', () => {
    const labels = new Uint8Array(20);
    labels[9] = 2; // slice 2
    labels[19] = 1; // slice 4
    expect(trainingSliceCounts(mask, labels, dims)).toEqual({ slices: 5, used: 2, leftOut: 2 });
  });
});
