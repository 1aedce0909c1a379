// The first view of a lesion case: the slice with the most lesion voxels, at a lesion voxel near its centre.
import { describe, expect, it } from 'vitest';
import { largestLesionSlice } from '../../src/ui/viewer/lesionFocus.ts';

describe('largestLesionSlice', () => {
  const dims = [8, 6, 4] as const;
  const at = (i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);

  it('picks the slice with the most lesion voxels (any label) and a voxel inside the lesion', () => {
    const labels = new Uint8Array(8 * 6 * 4);
    labels[at(1, 1, 0)] = 1;
    for (const [i, j] of [[4, 2], [5, 2], [4, 3], [5, 3], [6, 3]]) labels[at(i, j, 2)] = 4; // BraTS-style label 4
    labels[at(2, 2, 3)] = 2;
    labels[at(3, 2, 3)] = 2;
    const focus = largestLesionSlice(labels, dims);
    expect(focus?.sliceVoxels).toBe(5);
    expect(focus?.voxel[2]).toBe(2);
    expect(labels[at(...focus!.voxel)]).not.toBe(0);
  });

  it('lands on the ring, not its empty centre', () => {
    const labels = new Uint8Array(8 * 6 * 4);
    for (const [i, j] of [[2, 1], [3, 1], [4, 1], [2, 2], [4, 2], [2, 3], [3, 3], [4, 3]]) labels[at(i, j, 1)] = 1;
    const focus = largestLesionSlice(labels, dims)!;
    expect(labels[at(...focus.voxel)]).toBe(1);
  });

  it('is null without a lesion', () => {
    expect(largestLesionSlice(new Uint8Array(8 * 6 * 4), dims)).toBeNull();
  });
});
