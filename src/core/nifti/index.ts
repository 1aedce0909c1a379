// NIfTI input/output for fqlab: read .nii/.nii.gz into a Volume, write a Volume back, name an affine's orientation.
export { readNifti, DEFAULT_MAX_VOXELS } from './read.ts';
export { writeNifti } from './write.ts';
export { orientationCode } from './orientation.ts';
export type { NiftiAffineSource, NiftiHeaderInfo, NiftiImage, NiftiReadOptions, NiftiWriteOptions } from './types.ts';
