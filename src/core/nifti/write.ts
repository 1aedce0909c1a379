// Writes an fqlab Volume as a single-file NIfTI-1 (.nii or .nii.gz, float32 or uint8) keeping its affine in sform and qform.
import { gzipSync } from 'fflate';
import { FqlabError } from '../errors.ts';
import type { Volume } from '../volume.ts';
import { NIFTI1_HEADER_BYTES } from './header.ts';
import { det3, linearPart } from './matrix3.ts';
import { rotationToQformParameters } from './quaternion.ts';
import type { NiftiWriteOptions } from './types.ts';

/** Name used in errors about the volume being written (there is no file yet). */
const OUTPUT_NAME = 'NIfTI output';
const VOX_OFFSET = NIFTI1_HEADER_BYTES + 4;
/** NIFTI_XFORM_ALIGNED_ANAT: exported maps are aligned to the input scan; same code for both so readers agree. */
const XFORM_CODE = 2;
const NIFTI_UNITS_MM = 2;
/** Voxels and header in the platform's byte order (little-endian everywhere fqlab runs); the header says which. */
const platformLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes a volume as NIfTI-1. The sform holds the affine exactly (to float32), the qform its nearest
 * rotation + voxel sizes (exact unless the affine has shear); both codes are 2 (aligned anatomy).
 * uint8 needs whole values 0..255 (masks, labels); float32 suits images and maps. Output is gzipped unless
 * `gzip: false`. NaN/Inf values are refused (fqlab never writes a file it would refuse to read).
 * @example
 * const bytes = writeNifti(fqMapVolume, { description: 'fqlab FQ map, alpha 0.84' }); // .nii.gz bytes
 */
export function writeNifti(volume: Volume, options: NiftiWriteOptions = {}): Uint8Array {
  const datatype = options.datatype ?? 'float32';
  const slope = options.uint8Slope ?? 1;
  if (options.uint8Slope !== undefined && (datatype !== 'uint8' || !(slope > 0 && Number.isFinite(slope)))) {
    throw new FqlabError('bad-argument', OUTPUT_NAME, `uint8Slope ${slope} needs datatype 'uint8' and a positive finite value`);
  }
  const voxels = checkVolume(volume);
  const bytesPerVoxel = datatype === 'float32' ? 4 : 1;
  const file = new Uint8Array(VOX_OFFSET + voxels * bytesPerVoxel);
  writeHeader(new DataView(file.buffer), volume, datatype, slope, options.description ?? '');
  if (datatype === 'float32') {
    file.set(new Uint8Array(volume.data.buffer, volume.data.byteOffset, voxels * 4), VOX_OFFSET);
  } else {
    file.set(toUint8(volume.data, slope), VOX_OFFSET);
  }
  return options.gzip === false ? file : gzipSync(file, { level: 6, mtime: 0 });
}

function checkVolume(volume: Volume): number {
  const { dims, data, affine } = volume;
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 32767)) {
    throw new FqlabError('bad-argument', OUTPUT_NAME, `cannot be written: dims ${dims.join(' x ')} must be 3 whole numbers from 1 to 32767`);
  }
  const voxels = dims[0] * dims[1] * dims[2];
  if (data.length !== voxels) {
    throw new FqlabError('bad-argument', OUTPUT_NAME, `cannot be written: ${data.length} values for dims ${dims.join(' x ')} (${voxels} voxels)`);
  }
  const bottomRow = affine[12] === 0 && affine[13] === 0 && affine[14] === 0 && affine[15] === 1;
  if (affine.length !== 16 || !affine.every(Number.isFinite) || !bottomRow || det3(linearPart(affine)) === 0) {
    throw new FqlabError('bad-argument', OUTPUT_NAME,
      'cannot be written: the affine must be 16 finite numbers (row-major 4x4, last row 0 0 0 1) with a non-singular 3x3 part');
  }
  for (let n = 0; n < voxels; n++) {
    const v = data[n];
    if (v - v !== 0) {
      throw new FqlabError('non-finite', OUTPUT_NAME, `cannot be written: voxel ${n} is ${v}; replace NaN/Inf values (e.g. by 0) first`);
    }
  }
  return voxels;
}

/** Whole values 0..255 as they are; with a slope other than 1, round(value / slope) (lossy by design). */
function toUint8(values: Float32Array, slope: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let n = 0; n < values.length; n++) {
    const v = slope === 1 ? values[n] : Math.round(values[n] / slope);
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) {
      throw new FqlabError('bad-argument', OUTPUT_NAME,
        `cannot be written as uint8: voxel ${n} is ${v}, but uint8 holds whole numbers 0..255 (masks, labels); write float32 for continuous maps`);
    }
    out[n] = v;
  }
  return out;
}

function writeHeader(view: DataView, volume: Volume, datatype: 'float32' | 'uint8', slope: number, description: string): void {
  const le = platformLittleEndian;
  const { affine, dims } = volume;
  const qform = rotationToQformParameters(linearPart(affine));
  view.setInt32(0, NIFTI1_HEADER_BYTES, le);
  view.setUint8(38, 'r'.charCodeAt(0)); // 'regular', as nibabel and FSL write it
  [3, dims[0], dims[1], dims[2], 1, 1, 1, 1].forEach((d, n) => view.setInt16(40 + 2 * n, d, le));
  view.setInt16(70, datatype === 'float32' ? 16 : 2, le);
  view.setInt16(72, datatype === 'float32' ? 32 : 8, le);
  [qform.qfac, ...qform.zooms, 1, 1, 1, 1].forEach((p, n) => view.setFloat32(76 + 4 * n, p, le));
  view.setFloat32(108, VOX_OFFSET, le);
  view.setFloat32(112, slope, le); // scl_inter 0; slope 1 unless uint8Slope quantises an image
  view.setFloat32(116, 0, le);
  view.setUint8(123, NIFTI_UNITS_MM);
  const text = description.replace(/[^\x20-\x7e]/g, '?').slice(0, 79);
  for (let n = 0; n < text.length; n++) view.setUint8(148 + n, text.charCodeAt(n));
  view.setInt16(252, XFORM_CODE, le);
  view.setInt16(254, XFORM_CODE, le);
  [qform.b, qform.c, qform.d, affine[3], affine[7], affine[11]].forEach((q, n) => view.setFloat32(256 + 4 * n, q, le));
  for (let n = 0; n < 12; n++) view.setFloat32(280 + 4 * n, affine[n], le);
  [0x6e, 0x2b, 0x31, 0].forEach((c, n) => view.setUint8(344 + n, c)); // "n+1\0"
}
