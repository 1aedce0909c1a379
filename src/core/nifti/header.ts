// Parses and validates a NIfTI-1/NIfTI-2 header (fields via nifti-reader-js), applying nibabel's load-time fixes.
import { NIFTI1, NIFTI2 } from 'nifti-reader-js';
import { FqlabError } from '../errors.ts';
import type { Dims3 } from '../volume.ts';
import { niftiDatatype, niftiDatatypeName, unsupportedDatatypeAdvice, type NiftiDatatype } from './datatypes.ts';
import type { NiftiAffineSource, NiftiHeaderInfo } from './types.ts';

export const NIFTI1_HEADER_BYTES = 348;
export const NIFTI2_HEADER_BYTES = 540;
/** Leading bytes that always suffice to parse either header version. */
export const NIFTI_HEADER_PEEK_BYTES = NIFTI2_HEADER_BYTES;

/** Extensions beyond this put vox_offset out of any plausible range (real extensions are kilobytes). */
const MAX_VOX_OFFSET = 2 ** 28;
/** nibabel's w^2 tolerance when completing the qform quaternion: -3 eps of the stored float type. */
const QUATERNION_THRESHOLD = { 1: -3 * 2 ** -23, 2: -3 * 2 ** -52 } as const;

/** What the affine needs from the header, after nibabel's fixes (pixdim abs / 0 -> 1, qfac +-1, codes 0..5). */
export interface NiftiGeometry {
  ndim: number;
  dims: Dims3;
  affineSource: NiftiAffineSource;
  /** srow_x, srow_y, srow_z, row-major 3x4. */
  srow: Float64Array;
  quatern: readonly [number, number, number];
  qoffset: readonly [number, number, number];
  /** pixdim[0..3] with qfac in pixdim[0]. */
  pixdim: readonly [number, number, number, number];
  quaternionThreshold: number;
}

export interface ParsedNiftiHeader {
  info: NiftiHeaderInfo;
  geometry: NiftiGeometry;
  datatype: NiftiDatatype;
  /** Byte offset of the first voxel. */
  voxOffset: number;
  /** Bytes of voxel data the dims and datatype call for. */
  dataBytes: number;
  /** Effective scaling (1, 0 when scl_slope is 0 or not finite, as the standard says). */
  slope: number;
  inter: number;
}

const resave = 're-save the image with nibabel or FSL (fslmaths in.nii.gz -add 0 out.nii.gz)';

/**
 * Reads the header at the start of `bytes` (at least the header itself; more is fine) and checks
 * everything that can be checked before touching voxel data, so callers allocate only for sane sizes.
 */
export function parseNiftiHeader(bytes: Uint8Array, fileName: string, maxVoxels: number): ParsedNiftiHeader {
  const { version, littleEndian } = detectVersion(bytes, fileName);
  const size = version === 1 ? NIFTI1_HEADER_BYTES : NIFTI2_HEADER_BYTES;
  if (bytes.length < size) {
    throw new FqlabError('truncated', fileName,
      `ends after ${bytes.length} bytes, inside the ${size}-byte NIfTI-${version} header; the file is cut off, copy or download it again`);
  }
  checkMagic(bytes, version, fileName);
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);

  // A private copy of exactly the header bytes, so the library does not try to parse extensions (fqlab ignores them).
  // Never `bytes.slice(...).buffer`: a Node Buffer's slice is a view, and its buffer Node's shared 8 KiB pool.
  const lib = version === 1 ? new NIFTI1() : new NIFTI2();
  try {
    lib.readHeader(new Uint8Array(bytes.subarray(0, size)).buffer);
  } catch (cause) {
    throw new FqlabError('not-nifti', fileName, `has a header that cannot be parsed (${String(cause)}); ${resave}`);
  }

  // NIfTI-2 stores dims and vox_offset as int64; nifti-reader-js 0.8 mis-reads big-endian int64, so read them here.
  const rawDims = version === 1 ? lib.dims.slice(0, 8) : readInt64s(view, 16, 8, littleEndian);
  const voxOffsetRaw = version === 1 ? lib.vox_offset : readInt64s(view, 168, 1, littleEndian)[0];
  const pixdimRaw = lib.pixDims.slice(0, 8);

  const dims = checkDims(rawDims, fileName);
  const datatype = niftiDatatype(lib.datatypeCode);
  if (!datatype) {
    throw new FqlabError('unsupported-datatype', fileName, `cannot be read: ${unsupportedDatatypeAdvice(lib.datatypeCode)}`);
  }
  const voxels = dims[0] * dims[1] * dims[2];
  if (voxels > maxVoxels) {
    throw new FqlabError('too-large', fileName,
      `has ${dims.join(' x ')} = ${voxels} voxels, more than the ${maxVoxels} fqlab reads ` +
      `(${Math.ceil((voxels * 4) / 2 ** 20)} MiB as float32); the header may be damaged, otherwise crop or downsample the image first`);
  }

  const minOffset = size + 4;
  if (!Number.isFinite(voxOffsetRaw) || voxOffsetRaw < minOffset) {
    throw new FqlabError('bad-header', fileName,
      `has vox_offset ${voxOffsetRaw}, but a single-file NIfTI-${version} keeps its voxels at byte ${minOffset} or later; the header is inconsistent, ${resave}`);
  }
  if (voxOffsetRaw > MAX_VOX_OFFSET) {
    throw new FqlabError('bad-header', fileName,
      `has vox_offset ${voxOffsetRaw}, i.e. ${Math.round(voxOffsetRaw / 2 ** 20)} MiB of header extensions before the voxels; the header is damaged, ${resave}`);
  }

  const { slope, inter } = effectiveScaling(lib.scl_slope, lib.scl_inter, fileName);
  const sformCode = validXformCode(lib.sform_code);
  const qformCode = validXformCode(lib.qform_code);
  const affineSource: NiftiAffineSource = sformCode !== 0 ? 'sform' : qformCode !== 0 ? 'qform' : 'pixdim';

  const srow = new Float64Array(12);
  for (let n = 0; n < 12; n++) {
    srow[n] = version === 1 ? view.getFloat32(280 + 4 * n, littleEndian) : view.getFloat64(400 + 8 * n, littleEndian);
  }
  const fixZoom = (z: number): number => (z === 0 ? 1 : Math.abs(z));
  const qfac = pixdimRaw[0] === 1 || pixdimRaw[0] === -1 ? pixdimRaw[0] : 1;

  return {
    info: {
      version,
      datatypeCode: lib.datatypeCode,
      datatypeName: niftiDatatypeName(lib.datatypeCode),
      rawDims,
      pixdim: pixdimRaw,
      sclSlope: lib.scl_slope,
      sclInter: lib.scl_inter,
      qformCode: lib.qform_code,
      sformCode: lib.sform_code,
      description: lib.description,
      littleEndian,
      affineSource,
    },
    geometry: {
      ndim: rawDims[0],
      dims,
      affineSource,
      srow,
      quatern: [lib.quatern_b, lib.quatern_c, lib.quatern_d],
      qoffset: [lib.qoffset_x, lib.qoffset_y, lib.qoffset_z],
      pixdim: [qfac, fixZoom(pixdimRaw[1]), fixZoom(pixdimRaw[2]), fixZoom(pixdimRaw[3])],
      quaternionThreshold: QUATERNION_THRESHOLD[version],
    },
    datatype,
    voxOffset: Math.floor(voxOffsetRaw),
    dataBytes: voxels * datatype.bytesPerVoxel,
    slope,
    inter,
  };
}

/** Version and byte order from sizeof_hdr (348 or 540), the way nibabel and nifti_clib detect them. */
function detectVersion(bytes: Uint8Array, fileName: string): { version: 1 | 2; littleEndian: boolean } {
  if (bytes.length < 4) {
    throw new FqlabError('not-nifti', fileName,
      `is only ${bytes.length} bytes long, far too short for a NIfTI image; check that the upload or download completed`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const le = view.getInt32(0, true);
  const be = view.getInt32(0, false);
  if (le === NIFTI1_HEADER_BYTES) return { version: 1, littleEndian: true };
  if (be === NIFTI1_HEADER_BYTES) return { version: 1, littleEndian: false };
  if (le === NIFTI2_HEADER_BYTES) return { version: 2, littleEndian: true };
  if (be === NIFTI2_HEADER_BYTES) return { version: 2, littleEndian: false };
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new FqlabError('not-nifti', fileName, 'is gzip-compressed twice; decompress it once (gunzip) and load the resulting .nii.gz');
  }
  throw new FqlabError('not-nifti', fileName,
    `is not a NIfTI image (its first 4 bytes give sizeof_hdr ${le}, expected 348 or 540); fqlab reads NIfTI-1/NIfTI-2 .nii or .nii.gz, ` +
    'so convert DICOM, MGZ or NRRD first (e.g. dcm2niix, mri_convert)');
}

function checkMagic(bytes: Uint8Array, version: 1 | 2, fileName: string): void {
  const at = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2]);
  if (bytes[at + 3] === 0 && magic === `n+${version}`) return;
  if (bytes[at + 3] === 0 && magic === `ni${version}`) {
    throw new FqlabError('not-nifti', fileName,
      'is the header of a two-file .hdr/.img pair; fqlab needs a single-file .nii or .nii.gz (convert with fslchfiletype NIFTI_GZ or nibabel)');
  }
  throw new FqlabError('not-nifti', fileName,
    version === 1
      ? 'has a 348-byte ANALYZE-style header without the NIfTI magic "n+1", so its orientation is undefined; convert it to NIfTI (e.g. nibabel or fslchfiletype NIFTI_GZ)'
      : `has a 540-byte header without the NIfTI-2 magic "n+2"; the header is damaged, ${resave}`);
}

function readInt64s(view: DataView, offset: number, count: number, littleEndian: boolean): number[] {
  const out: number[] = [];
  for (let n = 0; n < count; n++) out.push(Number(view.getBigInt64(offset + 8 * n, littleEndian)));
  return out;
}

/** The 3D grid from dim[]; extra dimensions must be 1 (fqlab reads one volume). */
function checkDims(rawDims: number[], fileName: string): Dims3 {
  const ndim = rawDims[0];
  if (!(ndim >= 1 && ndim <= 7)) {
    throw new FqlabError('bad-dims', fileName,
      `has dim[0] = ${ndim}, but the number of dimensions must be 1 to 7; the header is damaged, ${resave}`);
  }
  const used = rawDims.slice(1, ndim + 1);
  const bad = used.findIndex((d) => !(d >= 1));
  if (bad >= 0) {
    throw new FqlabError('bad-dims', fileName,
      `has dim[${bad + 1}] = ${used[bad]} (dims ${used.join(' x ')}); every dimension must be at least 1, so the header is damaged, ${resave}`);
  }
  const extra = used.slice(3);
  if (extra.some((d) => d !== 1)) {
    const volumes = extra.reduce((a, b) => a * b, 1);
    throw new FqlabError('multi-volume', fileName,
      `holds ${volumes} volumes (dims ${used.join(' x ')}), but fqlab reads one 3D volume; extract one first, ` +
      'e.g. fslroi in.nii.gz vol0.nii.gz 0 1, or nibabel img.slicer[..., 0]');
  }
  return [used[0], used[1] ?? 1, used[2] ?? 1];
}

/** nibabel's get_slope_inter: slope 0 or not finite means unscaled; a usable slope needs a finite intercept. */
function effectiveScaling(rawSlope: number, rawInter: number, fileName: string): { slope: number; inter: number } {
  if (rawSlope === 0 || !Number.isFinite(rawSlope)) return { slope: 1, inter: 0 };
  if (!Number.isFinite(rawInter)) {
    throw new FqlabError('bad-header', fileName,
      `has scl_slope ${rawSlope} but scl_inter ${rawInter}, so its intensities cannot be scaled; set scl_inter to 0 (nibabel: img.header.set_slope_inter(slope, 0)) and save again`);
  }
  return { slope: rawSlope, inter: rawInter };
}

/** nibabel resets codes outside NIFTI_XFORM_UNKNOWN..TEMPLATE_OTHER (0..5) to 0 when loading. */
function validXformCode(code: number): number {
  return Number.isInteger(code) && code >= 0 && code <= 5 ? code : 0;
}
