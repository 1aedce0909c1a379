// File input for the CLI: every input is opened without blocking, checked to be a regular file of plausible size, read bounded.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { FqlabError } from '../core/errors.ts';
import { gridMismatch } from '../core/conform/index.ts';
import { checkInputSize, NIFTI_FILE, type InputFileKind } from '../core/inputLimits.ts';
import { readNifti, writeNifti, type NiftiImage, type NiftiWriteOptions } from '../core/nifti/index.ts';
import type { Volume } from '../core/volume.ts';

/** Bytes asked of the kernel per read when the size is unknown (procfs reports 0). */
const READ_CHUNK_BYTES = 1 << 20;
/** O_NONBLOCK makes opening a FIFO return at once (fstat then refuses it) instead of waiting for a writer. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a file that is not a regular file is, for messages. */
export function fileTypeName(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file system call failed, in words, from its errno code. */
export function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'it is a folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'it already exists',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the name is too long',
    ENXIO: 'no such device',
  };
  return code && reasons[code] ? `${reasons[code]}, ${code}` : (error as Error).message;
}

/**
 * Reads a whole input file after checking, on the opened file itself, that it is a regular file no larger than
 * `kind` allows; reads stop at the cap even when the size on disk is unknown or wrong (procfs, a growing file).
 */
export function readInputFile(path: string, kind: InputFileKind): Uint8Array<ArrayBuffer> {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw new FqlabError('bad-argument', path, `cannot be read (${systemReason(error)}); give the path of ${kind.what}.`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw new FqlabError('bad-argument', path, `is ${fileTypeName(stats)}, not a regular file; give the path of ${kind.what}.`);
    }
    checkInputSize(path, stats.size, kind);
    return readBounded(fd, path, stats.size, kind);
  } finally {
    closeSync(fd);
  }
}

function readBounded(fd: number, path: string, expectedBytes: number, kind: InputFileKind): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (;;) {
    const want = Math.min(Math.max(expectedBytes - total, READ_CHUNK_BYTES), kind.maxBytes + 1 - total);
    const chunk = new Uint8Array(want);
    let got: number;
    try {
      got = readSync(fd, chunk, 0, want, null);
    } catch (error) {
      throw new FqlabError('bad-argument', path, `cannot be read (${systemReason(error)}); give the path of ${kind.what}.`);
    }
    if (got === 0) break;
    chunks.push(got === want ? chunk : chunk.subarray(0, got));
    total += got;
    checkInputSize(path, total, kind);
  }
  if (chunks.length === 1) return chunks[0];
  const whole = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.length;
  }
  return whole;
}

/** Reads a .nii or .nii.gz file from disk. */
export function readVolumeFile(path: string): NiftiImage {
  return readNifti(readInputFile(path, NIFTI_FILE), path);
}

/** A volume as NIfTI bytes for `path` (gzip when the name ends in .gz); encoding errors name that path. */
export function encodeVolume(path: string, volume: Volume, options: NiftiWriteOptions = {}): Uint8Array {
  try {
    return writeNifti(volume, { gzip: path.endsWith('.gz'), fileName: path, ...options });
  } catch (error) {
    if (!(error instanceof FqlabError)) throw error;
    throw new FqlabError(error.code, path, error.message.slice(error.fileName.length + 2));
  }
}

/** The datatype that stores a label map exactly: uint8 for whole labels 0..255, else float32 (any label, also -1 or 1000). */
export function labelDatatype(labels: Float32Array): 'uint8' | 'float32' {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) return 'float32';
  }
  return 'uint8';
}

/** Throws unless `other` lies on the grid of `reference` (same dims, same affine to conform's tolerance). */
export function requireSameGrid(reference: NiftiImage, referencePath: string, other: NiftiImage, otherPath: string): void {
  const what = gridMismatch(reference.volume, other.volume, referencePath);
  if (what === null) return;
  throw new FqlabError(
    'grid-mismatch',
    otherPath,
    `${what}; volumes compared voxel by voxel must share one grid: give files from the same scan (e.g. both from \`fqlab conform\`), or resample ${otherPath} onto ${referencePath} (nearest neighbour for masks and labels).`,
  );
}
