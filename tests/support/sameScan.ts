// Test helper: asserts two volumes are the same scan in world space, whatever order their voxel axes are stored in.
import { expect } from 'vitest';
import type { Volume } from '../../src/core/volume.ts';

/** Inverse of a row-major 4x4 affine [L t; 0 1]. */
function invertAffine(a: Float64Array): number[] {
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = [a[0], a[1], a[2], a[4], a[5], a[6], a[8], a[9], a[10]];
  const det = m0 * (m4 * m8 - m5 * m7) - m1 * (m3 * m8 - m5 * m6) + m2 * (m3 * m7 - m4 * m6);
  const l = [
    (m4 * m8 - m5 * m7) / det, (m2 * m7 - m1 * m8) / det, (m1 * m5 - m2 * m4) / det,
    (m5 * m6 - m3 * m8) / det, (m0 * m8 - m2 * m6) / det, (m2 * m3 - m0 * m5) / det,
    (m3 * m7 - m4 * m6) / det, (m1 * m6 - m0 * m7) / det, (m0 * m4 - m1 * m3) / det,
  ];
  const t = [a[3], a[7], a[11]];
  const inv = new Array<number>(16).fill(0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) inv[4 * r + c] = l[3 * r + c];
    inv[4 * r + 3] = -(l[3 * r] * t[0] + l[3 * r + 1] * t[1] + l[3 * r + 2] * t[2]);
  }
  inv[15] = 1;
  return inv;
}

function multiply(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out = new Array<number>(16).fill(0);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let k = 0; k < 4; k++) out[4 * r + c] += a[4 * r + k] * b[4 * k + c];
  return out;
}

/**
 * `actual` holds exactly `expected`'s voxels on exactly its world grid, possibly with axes permuted or flipped (as
 * dcm2niix stores DICOM rows bottom-up): the voxel map inv(actual.affine) * expected.affine is a signed permutation
 * with an integer shift, every voxel centre agrees within `toleranceMm`, and every voxel value is equal.
 */
export function expectSameScan(actual: Volume, expected: Volume, toleranceMm = 1e-4): void {
  const voxelMap = multiply(invertAffine(actual.affine), expected.affine).map((v) => Math.round(v));
  for (let r = 0; r < 3; r++) {
    const row = [voxelMap[4 * r], voxelMap[4 * r + 1], voxelMap[4 * r + 2]];
    expect(row.filter((v) => v !== 0).map(Math.abs), `voxel axis map row ${r}`).toEqual([1]);
  }
  // The rounded voxel map must reproduce expected's affine in millimetres.
  const reproduced = multiply(actual.affine, voxelMap);
  for (let n = 0; n < 12; n++) expect(Math.abs(reproduced[n] - expected.affine[n]), `affine element ${n}`).toBeLessThan(toleranceMm);
  const [ex, ey, ez] = expected.dims;
  const [ax, ay] = actual.dims;
  expect(actual.dims[0] * actual.dims[1] * actual.dims[2]).toBe(ex * ey * ez);
  let outside = 0;
  let mismatches = 0;
  const at = [0, 0, 0];
  for (let k = 0; k < ez; k++) {
    for (let j = 0; j < ey; j++) {
      for (let i = 0; i < ex; i++) {
        for (let r = 0; r < 3; r++) at[r] = voxelMap[4 * r] * i + voxelMap[4 * r + 1] * j + voxelMap[4 * r + 2] * k + voxelMap[4 * r + 3];
        if (at.some((v, axis) => v < 0 || v >= actual.dims[axis])) outside++;
        else if (actual.data[at[0] + ax * (at[1] + ay * at[2])] !== expected.data[i + ex * (j + ey * k)]) mismatches++;
      }
    }
  }
  expect(outside, 'voxels that map outside the other grid').toBe(0);
  expect(mismatches, 'voxels whose values differ').toBe(0);
}
