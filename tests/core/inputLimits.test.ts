// The input byte caps: every file the NIfTI reader accepts fits under NIFTI_FILE, and anything larger is refused by name.
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { checkInputSize, CHECKPOINT_FILE, NIFTI_FILE } from '../../src/core/inputLimits.ts';
import { DEFAULT_MAX_VOXELS } from '../../src/core/nifti/index.ts';

describe('input size caps', () => {
  it('lets the largest readable NIfTI through and refuses one byte more than the cap', () => {
    const largestImage = 540 + 4 + DEFAULT_MAX_VOXELS * 8; // NIfTI-2 header, float64 voxels at the voxel cap
    expect(() => checkInputSize('big.nii', largestImage, NIFTI_FILE)).not.toThrow();
    expect(() => checkInputSize('big.nii', NIFTI_FILE.maxBytes + 1, NIFTI_FILE)).toThrow(FqlabError);
    expect(() => checkInputSize('big.nii', NIFTI_FILE.maxBytes + 1, NIFTI_FILE)).toThrow(/^big\.nii: is \d+ MiB, larger than a NIfTI image/);
  });

  it('refuses an oversized checkpoint naming it', () => {
    expect(() => checkInputSize('model.fqlab', CHECKPOINT_FILE.maxBytes + 1, CHECKPOINT_FILE)).toThrow(/^model\.fqlab: .*checkpoint/);
  });
});
