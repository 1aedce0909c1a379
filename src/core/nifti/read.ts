// Reads a .nii or .nii.gz file's bytes into an fqlab Volume (float32 after scaling) with nibabel's affine.
import { FqlabError } from '../errors.ts';
import { headerAffine, spacingFromAffine } from './affine.ts';
import { gunzipRange, isGzip } from './gunzip.ts';
import { NIFTI_HEADER_PEEK_BYTES, parseNiftiHeader, type ParsedNiftiHeader } from './header.ts';
import type { NiftiImage, NiftiReadOptions } from './types.ts';
import { decodeVoxels } from './voxels.ts';

/** 2^27 voxels = 512 MiB as float32 (e.g. 512^3); brain MRI is typically under 2^24. */
export const DEFAULT_MAX_VOXELS = 2 ** 27;

/**
 * Reads a NIfTI-1 or NIfTI-2 image, gzipped or not (detected from the bytes, not the name), of any scalar
 * datatype and either byte order. Values are scaled by scl_slope/scl_inter; the affine follows nibabel
 * (sform, else qform, else pixdim). Every problem throws an FqlabError naming `fileName`.
 * @example
 * const { volume, header } = readNifti(new Uint8Array(await file.arrayBuffer()), file.name);
 */
export function readNifti(bytes: Uint8Array, fileName: string, options: NiftiReadOptions = {}): NiftiImage {
  const maxVoxels = options.maxVoxels ?? DEFAULT_MAX_VOXELS;
  let header: ParsedNiftiHeader | undefined;
  let affine: Float64Array = new Float64Array(16);
  let raw: Uint8Array;
  let owned: boolean;
  if (isGzip(bytes)) {
    raw = gunzipRange(bytes, fileName, NIFTI_HEADER_PEEK_BYTES, (prefix) => {
      header = parseNiftiHeader(prefix, fileName, maxVoxels);
      affine = headerAffine(header.geometry, fileName); // refuse a bad transform before inflating the voxels
      return { offset: header.voxOffset, length: header.dataBytes };
    });
    owned = true;
  } else {
    header = parseNiftiHeader(bytes, fileName, maxVoxels);
    affine = headerAffine(header.geometry, fileName);
    const end = header.voxOffset + header.dataBytes;
    if (bytes.length < end) {
      throw new FqlabError('truncated', fileName,
        `is ${bytes.length} bytes long but its header needs ${end} (${header.dataBytes} bytes of voxels from byte ${header.voxOffset}); ` +
        'the file is cut off or its dims are wrong, copy or download it again');
    }
    raw = bytes.subarray(header.voxOffset, end);
    owned = false;
  }
  const parsed = header as ParsedNiftiHeader;
  const data = decodeVoxels({
    raw,
    owned,
    datatype: parsed.datatype,
    littleEndian: parsed.info.littleEndian,
    slope: parsed.slope,
    inter: parsed.inter,
    nonFinite: options.nonFinite ?? 'error',
    fileName,
  });
  return {
    volume: { dims: parsed.geometry.dims, data, affine, spacing: spacingFromAffine(affine) },
    header: parsed.info,
  };
}
