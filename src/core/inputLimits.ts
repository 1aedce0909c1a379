// Byte caps on the files fqlab reads, shared by the CLI and the browser: a device, a huge file or a wrong file is refused before it is read.
import { FqlabError } from './errors.ts';
import { DEFAULT_MAX_VOXELS } from './nifti/index.ts';

/** What kind of file an input must be, and the most bytes such a file can plausibly have. */
export interface InputFileKind {
  /** For messages: "a NIfTI image". */
  what: string;
  maxBytes: number;
  /** For messages: where the cap comes from. */
  capReason: string;
}

/** float64, int64 and uint64 are the widest voxels the NIfTI reader takes. */
const MAX_BYTES_PER_VOXEL = 8;
/**
 * Header plus extensions: the reader refuses voxels that start past 256 MiB. This headroom also covers gzip's
 * growth of incompressible data (5 bytes per 64 KiB block), so a .nii.gz never needs more than the cap.
 */
const MAX_HEADER_BYTES = 2 ** 28;

export const NIFTI_FILE: InputFileKind = {
  what: 'a NIfTI image (.nii or .nii.gz)',
  maxBytes: MAX_HEADER_BYTES + DEFAULT_MAX_VOXELS * MAX_BYTES_PER_VOXEL,
  capReason: `the largest image fqlab reads has ${DEFAULT_MAX_VOXELS} voxels of ${MAX_BYTES_PER_VOXEL} bytes`,
};

/**
 * A full checkpoint of the paper preset (37.5 M parameters: best and latest weights plus two Adam moments, float32)
 * is about 600 MB; 2 GiB leaves room for larger models and is the most a browser ArrayBuffer reliably holds.
 */
export const CHECKPOINT_FILE: InputFileKind = {
  what: 'an fqlab checkpoint (the model.fqlab that `fqlab train` writes)',
  maxBytes: 2 ** 31,
  capReason: 'a full checkpoint of the largest preset is about 600 MB',
};

const MIB = 2 ** 20;

/** Throws FqlabError 'too-large', naming the file, when `bytes` is more than a file of this kind can be. */
export function checkInputSize(fileName: string, bytes: number, kind: InputFileKind): void {
  if (bytes <= kind.maxBytes) return;
  throw new FqlabError('too-large', fileName,
    `is ${Math.ceil(bytes / MIB)} MiB, larger than ${kind.what} can be (${Math.round(kind.maxBytes / MIB)} MiB: ` +
    `${kind.capReason}); check that this is the right file`);
}
