// Writes an fqlab Volume as a single-file NIfTI-1 (.nii or .nii.gz, float32 or uint8) keeping its affine in sform and qform.
import { gzipSync } from 'fflate';
import { FqlabError } from '../errors.ts';
import type { Volume } from '../volume.ts';
import { headerAffine } from './affine.ts';
import { NIFTI1_HEADER_BYTES, parseNiftiHeader } from './header.ts';
import { det3, linearPart } from './matrix3.ts';
import { rotationToQformParameters } from './quaternion.ts';
import type { NiftiWriteOptions } from './types.ts';

/** Name used in errors about the volume being written when the caller gives no file name. */
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
 * `gzip: false`. fqlab never writes a file it would refuse to read: NaN/Inf values, and header numbers that float32
 * cannot hold (an affine near the float32 maximum), are refused before anything is written, naming `fileName`.
 * @example
 * const bytes = writeNifti(fqMapVolume, { description: 'fqlab FQ map, alpha 0.84', fileName: 'fq.nii.gz' }); // .nii.gz bytes
 */
export function writeNifti(volume: Volume, options: NiftiWriteOptions = {}): Uint8Array {
  const name = options.fileName ?? OUTPUT_NAME;
  const datatype = options.datatype ?? 'float32';
  const slope = options.uint8Slope ?? 1;
  if (options.uint8Slope !== undefined && (datatype !== 'uint8' || !(slope > 0 && Number.isFinite(slope)))) {
    throw new FqlabError('bad-argument', name, `uint8Slope ${slope} needs datatype 'uint8' and a positive finite value`);
  }
  const voxels = checkVolume(volume, name);
  const fields = headerFields(volume, slope);
  checkFloat32Fields(fields, name);
  const bytesPerVoxel = datatype === 'float32' ? 4 : 1;
  const file = new Uint8Array(VOX_OFFSET + voxels * bytesPerVoxel);
  writeHeader(new DataView(file.buffer), volume.dims, fields, datatype, options.description ?? '');
  checkHeaderReadsBack(file.subarray(0, VOX_OFFSET), name);
  if (datatype === 'float32') {
    file.set(new Uint8Array(volume.data.buffer, volume.data.byteOffset, voxels * 4), VOX_OFFSET);
  } else {
    file.set(toUint8(volume.data, slope, name), VOX_OFFSET);
  }
  return options.gzip === false ? file : gzipSync(file, { level: 6, mtime: 0 });
}

function checkVolume(volume: Volume, name: string): number {
  const { dims, data, affine } = volume;
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 32767)) {
    throw new FqlabError('bad-argument', name, `cannot be written: dims ${dims.join(' x ')} must be 3 whole numbers from 1 to 32767`);
  }
  const voxels = dims[0] * dims[1] * dims[2];
  if (data.length !== voxels) {
    throw new FqlabError('bad-argument', name, `cannot be written: ${data.length} values for dims ${dims.join(' x ')} (${voxels} voxels)`);
  }
  const bottomRow = affine[12] === 0 && affine[13] === 0 && affine[14] === 0 && affine[15] === 1;
  if (affine.length !== 16 || !affine.every(Number.isFinite) || !bottomRow || det3(linearPart(affine)) === 0) {
    throw new FqlabError('bad-argument', name,
      'cannot be written: the affine must be 16 finite numbers (row-major 4x4, last row 0 0 0 1) with a non-singular 3x3 part');
  }
  for (let n = 0; n < voxels; n++) {
    const v = data[n];
    if (v - v !== 0) {
      throw new FqlabError('non-finite', name, `cannot be written: voxel ${n} is ${v}; replace NaN/Inf values (e.g. by 0) first`);
    }
  }
  return voxels;
}

/** Whole values 0..255 as they are; with a slope other than 1, round(value / slope) (lossy by design). */
function toUint8(values: Float32Array, slope: number, name: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let n = 0; n < values.length; n++) {
    const v = slope === 1 ? values[n] : Math.round(values[n] / slope);
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) {
      throw new FqlabError('bad-argument', name,
        `cannot be written as uint8: voxel ${n} is ${v}, but uint8 holds whole numbers 0..255 (masks, labels); write float32 for continuous maps`);
    }
    out[n] = v;
  }
  return out;
}

/** The header's float fields, as the float64 values that will be rounded to float32. */
interface HeaderFields {
  srow: number[];
  pixdim: number[];
  quatern: number[];
  qoffset: number[];
  sclSlope: number[];
}

function headerFields(volume: Volume, slope: number): HeaderFields {
  const { affine } = volume;
  const qform = rotationToQformParameters(linearPart(affine));
  return {
    srow: Array.from(affine.subarray(0, 12)),
    pixdim: [qform.qfac, ...qform.zooms],
    quatern: [qform.b, qform.c, qform.d],
    qoffset: [affine[3], affine[7], affine[11]],
    sclSlope: [slope],
  };
}

/** NIfTI-1 stores these as float32: a value finite in float64 may still become Inf there (or NaN, from an Inf norm). */
function checkFloat32Fields(fields: HeaderFields, name: string): void {
  for (const [field, values] of Object.entries(fields) as [keyof HeaderFields, number[]][]) {
    const bad = values.findIndex((v) => !Number.isFinite(Math.fround(v)));
    if (bad >= 0) {
      throw new FqlabError('bad-argument', name,
        `cannot be written: its header's ${field}[${bad}] would be ${values[bad]}, beyond the float32 range (about +-3.4e38) ` +
        'that NIfTI-1 stores, so the file would have an infinite affine; the input affine is damaged, fix the input header (e.g. nibabel set_sform) and run again');
    }
  }
}

/** Parses the header about to be written with fqlab's own reader, so what is written can be read back. */
function checkHeaderReadsBack(header: Uint8Array, name: string): void {
  try {
    headerAffine(parseNiftiHeader(header, name, Number.POSITIVE_INFINITY).geometry, name);
  } catch (cause) {
    if (!(cause instanceof FqlabError)) throw cause;
    throw new FqlabError('bad-argument', name,
      `cannot be written: fqlab would refuse to read its header back (${cause.message.slice(name.length + 2)}); fix the input affine and run again`);
  }
}

function writeHeader(view: DataView, dims: Volume['dims'], fields: HeaderFields, datatype: 'float32' | 'uint8', description: string): void {
  const le = platformLittleEndian;
  view.setInt32(0, NIFTI1_HEADER_BYTES, le);
  view.setUint8(38, 'r'.charCodeAt(0)); // 'regular', as nibabel and FSL write it
  [3, dims[0], dims[1], dims[2], 1, 1, 1, 1].forEach((d, n) => view.setInt16(40 + 2 * n, d, le));
  view.setInt16(70, datatype === 'float32' ? 16 : 2, le);
  view.setInt16(72, datatype === 'float32' ? 32 : 8, le);
  [...fields.pixdim, 1, 1, 1, 1].forEach((p, n) => view.setFloat32(76 + 4 * n, p, le));
  view.setFloat32(108, VOX_OFFSET, le);
  view.setFloat32(112, fields.sclSlope[0], le); // scl_inter 0; slope 1 unless uint8Slope quantises an image
  view.setFloat32(116, 0, le);
  view.setUint8(123, NIFTI_UNITS_MM);
  const text = description.replace(/[^\x20-\x7e]/g, '?').slice(0, 79);
  for (let n = 0; n < text.length; n++) view.setUint8(148 + n, text.charCodeAt(n));
  view.setInt16(252, XFORM_CODE, le);
  view.setInt16(254, XFORM_CODE, le);
  [...fields.quatern, ...fields.qoffset].forEach((q, n) => view.setFloat32(256 + 4 * n, q, le));
  fields.srow.forEach((v, n) => view.setFloat32(280 + 4 * n, v, le));
  [0x6e, 0x2b, 0x31, 0].forEach((c, n) => view.setUint8(344 + n, c)); // "n+1\0"
}
