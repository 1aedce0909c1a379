// Public types of the NIfTI reader and writer: the header summary, the loaded image and the read/write options.
import type { Volume } from '../volume.ts';

/** Which header transform gave the affine (nibabel's get_best_affine precedence). */
export type NiftiAffineSource = 'sform' | 'qform' | 'pixdim';

/** The header fields fqlab shows or reasons about, as stored in the file (before nibabel-style fixes). */
export interface NiftiHeaderInfo {
  version: 1 | 2;
  datatypeCode: number;
  datatypeName: string;
  /** dim[0..7] as stored. */
  rawDims: number[];
  /** pixdim[0..7] as stored (pixdim[0] is qfac). */
  pixdim: number[];
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  description: string;
  littleEndian: boolean;
  /** Which transform the affine came from: sform if sform_code > 0, else qform if qform_code > 0, else pixdim. */
  affineSource: NiftiAffineSource;
}

/** A NIfTI file read into fqlab's volume (values after scl_slope/scl_inter) plus its header summary. */
export interface NiftiImage {
  volume: Volume;
  header: NiftiHeaderInfo;
}

/** Safety limits and policies for reading. */
export interface NiftiReadOptions {
  /** Refuse images with more voxels than this before allocating anything (default 2^27, e.g. 512^3). */
  maxVoxels?: number;
  /** NaN or +-Inf voxels: 'error' (default) throws FqlabError 'non-finite'; 'zero' replaces them with 0. */
  nonFinite?: 'error' | 'zero';
}

export interface NiftiWriteOptions {
  /** 'float32' (default) for images and maps; 'uint8' for masks and label maps (whole numbers 0..255). */
  datatype?: 'float32' | 'uint8';
  /** gzip the output (.nii.gz); default true. */
  gzip?: boolean;
  /** Header description, at most 79 ASCII characters (longer text is cut). */
  description?: string;
  /**
   * uint8 only: store round(value / uint8Slope) and set scl_slope = uint8Slope, a lossy but 4x smaller encoding of
   * continuous images (e.g. 1/255 for [0, 1] demo volumes). Values must lie in [0, 255 * uint8Slope].
   */
  uint8Slope?: number;
  /** The output's name (e.g. its path), used in every error; default 'NIfTI output'. */
  fileName?: string;
}
