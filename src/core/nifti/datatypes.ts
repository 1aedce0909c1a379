// The NIfTI datatype codes: which ones fqlab reads, their byte sizes, and what to tell the user about the others.

/** A datatype fqlab converts to float32. */
export interface NiftiDatatype {
  code: number;
  name: string;
  bytesPerVoxel: number;
}

const supported: readonly NiftiDatatype[] = [
  { code: 2, name: 'uint8', bytesPerVoxel: 1 },
  { code: 4, name: 'int16', bytesPerVoxel: 2 },
  { code: 8, name: 'int32', bytesPerVoxel: 4 },
  { code: 16, name: 'float32', bytesPerVoxel: 4 },
  { code: 64, name: 'float64', bytesPerVoxel: 8 },
  { code: 256, name: 'int8', bytesPerVoxel: 1 },
  { code: 512, name: 'uint16', bytesPerVoxel: 2 },
  { code: 768, name: 'uint32', bytesPerVoxel: 4 },
  { code: 1024, name: 'int64', bytesPerVoxel: 8 },
  { code: 1280, name: 'uint64', bytesPerVoxel: 8 },
];

/** Datatypes the standard defines but a scalar intensity pipeline cannot use, with the fix to suggest. */
const refused: ReadonlyMap<number, { name: string; advice: string }> = new Map([
  [0, { name: 'unknown', advice: 'the header does not say how voxels are stored; re-save the image with a real datatype' }],
  [1, { name: 'binary', advice: '1-bit data is not supported; save the mask as uint8' }],
  [32, { name: 'complex64', advice: 'complex data has no single intensity; save the magnitude as float32 (e.g. numpy.abs in nibabel)' }],
  [1792, { name: 'complex128', advice: 'complex data has no single intensity; save the magnitude as float32 (e.g. numpy.abs in nibabel)' }],
  [2048, { name: 'complex256', advice: 'complex data has no single intensity; save the magnitude as float32 (e.g. numpy.abs in nibabel)' }],
  [128, { name: 'RGB24', advice: 'colour images are not MRI intensities; convert to a single-channel grayscale image' }],
  [2304, { name: 'RGBA32', advice: 'colour images are not MRI intensities; convert to a single-channel grayscale image' }],
  [1536, { name: 'float128', advice: '128-bit floats cannot be read in JavaScript; re-save as float32 or float64' }],
]);

/** The datatype for a code, or undefined when fqlab cannot read it. */
export function niftiDatatype(code: number): NiftiDatatype | undefined {
  return supported.find((d) => d.code === code);
}

/** Display name of any datatype code (for headers and messages). */
export function niftiDatatypeName(code: number): string {
  return niftiDatatype(code)?.name ?? refused.get(code)?.name ?? `code ${code}`;
}

/** Why a code cannot be read and what to do instead. */
export function unsupportedDatatypeAdvice(code: number): string {
  const known = refused.get(code);
  if (known) return `datatype ${known.name} (code ${code}): ${known.advice}`;
  return `datatype code ${code} is not a NIfTI datatype; the header is damaged or the file is not NIfTI`;
}
