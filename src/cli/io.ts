// File I/O for the CLI: NIfTI volumes and JSON in and out, with errors that name the file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FqlabError } from '../core/errors.ts';
import { readNifti, writeNifti, type NiftiImage, type NiftiWriteOptions } from '../core/nifti/index.ts';
import type { Volume } from '../core/volume.ts';

/** Reads a .nii or .nii.gz file from disk. */
export function readVolumeFile(path: string): NiftiImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new FqlabError('bad-argument', path, `cannot read it (${reason}); check the path.`);
  }
  return readNifti(bytes, path);
}

/** Writes a volume as NIfTI (gzip when the name ends in .gz), creating the folder if needed. */
export function writeVolumeFile(path: string, volume: Volume, options: NiftiWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, writeNifti(volume, { gzip: path.endsWith('.gz'), fileName: path, ...options }));
}

/** Throws unless two volumes share one voxel grid (same dims). */
export function requireSameGrid(reference: NiftiImage, referencePath: string, other: NiftiImage, otherPath: string): void {
  const a = reference.volume.dims;
  const b = other.volume.dims;
  if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2]) {
    throw new FqlabError(
      'grid-mismatch',
      otherPath,
      `its grid ${b.join('x')} differs from ${referencePath} (${a.join('x')}); give volumes on the same grid (e.g. both from \`fqlab conform\`).`,
    );
  }
}
