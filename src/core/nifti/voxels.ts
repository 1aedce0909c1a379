// Turns stored NIfTI voxel bytes (any readable datatype, either byte order) into scaled float32 values.
import { FqlabError } from '../errors.ts';
import type { NiftiDatatype } from './datatypes.ts';

/** The platform's byte order (typed arrays use it); every current browser and Node platform is little-endian. */
const platformLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface VoxelDecodeInput {
  /** Exactly the voxel bytes. */
  raw: Uint8Array;
  /** True when `raw` is a private buffer (from decompression) that may be byte-swapped and reused in place. */
  owned: boolean;
  datatype: NiftiDatatype;
  littleEndian: boolean;
  slope: number;
  inter: number;
  nonFinite: 'error' | 'zero';
  fileName: string;
}

/** value = stored * slope + inter, as float32 (computed in float64, rounded once, as nibabel's get_fdata then astype). */
export function decodeVoxels(input: VoxelDecodeInput): Float32Array {
  const { datatype, slope, inter } = input;
  const size = datatype.bytesPerVoxel;
  let bytes = input.raw;
  let owned = input.owned;
  // Copies use new Uint8Array(bytes), not bytes.slice(): a Node Buffer's slice is a view of the caller's memory.
  if (input.littleEndian !== platformLittleEndian && size > 1) {
    if (!owned) bytes = new Uint8Array(bytes);
    owned = true;
    swapBytes(bytes, size);
  } else if (bytes.byteOffset % size !== 0) {
    bytes = new Uint8Array(bytes); // typed-array views need aligned offsets
    owned = true;
  }
  const count = bytes.length / size;
  const unscaled = slope === 1 && inter === 0;
  let out: Float32Array;
  if (datatype.name === 'float32' && unscaled) {
    const stored = new Float32Array(bytes.buffer, bytes.byteOffset, count);
    // reuse a private, exactly sized buffer; never alias the caller's bytes
    out = owned && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? stored : new Float32Array(stored);
  } else {
    out = new Float32Array(count);
    if (datatype.name === 'int64' || datatype.name === 'uint64') {
      decode64(bytes, datatype.name === 'int64', slope, inter, out);
    } else {
      const stored = typedView(bytes, datatype.name, count);
      if (unscaled) out.set(stored);
      else for (let n = 0; n < count; n++) out[n] = stored[n] * slope + inter;
    }
  }
  // integers stay finite unless scaling overflows float32; floats may hold NaN/Inf themselves
  const mayBeNonFinite = datatype.name.startsWith('float') || !unscaled;
  if (mayBeNonFinite) checkFinite(out, input.nonFinite, input.fileName);
  return out;
}

type IntegerOrFloatArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

function typedView(bytes: Uint8Array, name: string, count: number): IntegerOrFloatArray {
  const { buffer, byteOffset } = bytes;
  switch (name) {
    case 'uint8': return bytes;
    case 'int8': return new Int8Array(buffer, byteOffset, count);
    case 'int16': return new Int16Array(buffer, byteOffset, count);
    case 'uint16': return new Uint16Array(buffer, byteOffset, count);
    case 'int32': return new Int32Array(buffer, byteOffset, count);
    case 'uint32': return new Uint32Array(buffer, byteOffset, count);
    case 'float32': return new Float32Array(buffer, byteOffset, count);
    case 'float64': return new Float64Array(buffer, byteOffset, count);
    default: throw new Error(`no typed view for ${name}`);
  }
}

/** 64-bit integers as high * 2^32 + low in float64 (exact below 2^53, then rounded like numpy's conversion). */
function decode64(bytes: Uint8Array, signed: boolean, slope: number, inter: number, out: Float32Array): void {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const highs = signed ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : words;
  const [lo, hi] = platformLittleEndian ? [0, 1] : [1, 0];
  for (let n = 0; n < out.length; n++) {
    out[n] = (highs[2 * n + hi] * 4294967296 + words[2 * n + lo]) * slope + inter;
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.length; at += size) {
    for (let lo = at, hi = at + size - 1; lo < hi; lo++, hi--) {
      const t = bytes[lo];
      bytes[lo] = bytes[hi];
      bytes[hi] = t;
    }
  }
}

function checkFinite(values: Float32Array, policy: 'error' | 'zero', fileName: string): void {
  let bad = 0;
  let first = -1;
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v - v !== 0) {
      if (first < 0) first = n;
      bad++;
      if (policy === 'zero') values[n] = 0;
    }
  }
  if (bad > 0 && policy === 'error') {
    throw new FqlabError('non-finite', fileName,
      `has ${bad} NaN or infinite voxel values (first at voxel index ${first}, value ${values[first]}), ` +
      'or values that overflow float32 after scl_slope/scl_inter; fix the image (e.g. fslmaths in -nan out) or load it with non-finite values set to 0');
  }
}
