// Unit tests for the shared volume indexing helpers.
import { describe, expect, it } from 'vitest';
import { voxelCount, voxelIndex } from '../../src/core/volume.ts';

describe('volume indexing', () => {
  it('uses NIfTI order, first axis fastest', () => {
    const dims = [4, 3, 2] as const;
    expect(voxelCount(dims)).toBe(24);
    expect(voxelIndex(dims, 1, 0, 0)).toBe(1);
    expect(voxelIndex(dims, 0, 1, 0)).toBe(4);
    expect(voxelIndex(dims, 0, 0, 1)).toBe(12);
    expect(voxelIndex(dims, 3, 2, 1)).toBe(23);
  });
});
