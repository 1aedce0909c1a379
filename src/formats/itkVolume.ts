// Turns an itk-wasm Image (ITK's LPS world) into fqlab's Volume with the RAS affine ITK's own NIfTI writer would store.
import { FqlabError } from '../core/errors.ts';
import { spacingFromAffine } from '../core/nifti/affine.ts';
import { DEFAULT_MAX_VOXELS } from '../core/nifti/index.ts';
import type { Dims3, Volume } from '../core/volume.ts';
import type { ItkImage } from './readerTypes.ts';

/** ITK's world is LPS, NIfTI's RAS: x and y change sign. */
const LPS_TO_RAS = [-1, -1, 1] as const;

/**
 * The RAS voxel-to-world affine (row-major 4x4) of an ITK image: [diag(-1,-1,1) * D * diag(spacing) | diag(-1,-1,1) * origin],
 * with itk-wasm's direction D stored row by row (direction[3 * row + col]).
 */
export function itkRasAffine(image: Pick<ItkImage, 'imageType' | 'origin' | 'spacing' | 'direction'>): Float64Array {
  const stride = image.imageType.dimension;
  const used = Math.min(stride, 3); // a 2D image lies in the z = 0 plane; a 4D image's fourth axis is time
  const affine = new Float64Array(16);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      const direction = row < used && col < used ? image.direction[stride * row + col] : row === col ? 1 : 0;
      const spacing = col < used ? image.spacing[col] : 1;
      affine[4 * row + col] = LPS_TO_RAS[row] * direction * spacing;
    }
    affine[4 * row + 3] = LPS_TO_RAS[row] * (row < used ? image.origin[row] : 0);
  }
  affine[15] = 1;
  return affine;
}

/** The grid of a 2D, 3D or single-volume 4D image; refuses colour, vector and multi-volume images with what to do. */
function scalarGrid(image: ItkImage, fileName: string): Dims3 {
  const { imageType, size } = image;
  if (imageType.components !== 1) {
    throw new FqlabError('unsupported-datatype', fileName,
      `has ${imageType.components} components per voxel (${imageType.pixelType}), but fqlab reads scalar intensities; save one channel as a grayscale image`);
  }
  if (imageType.dimension < 2 || imageType.dimension > 4) {
    throw new FqlabError('bad-dims', fileName, `is a ${imageType.dimension}D image; fqlab reads 3D volumes (or one 2D slice)`);
  }
  if (imageType.dimension === 4 && size[3] !== 1) {
    throw new FqlabError('multi-volume', fileName,
      `holds ${size[3]} volumes (dims ${size.join(' x ')}), but fqlab reads one 3D volume; extract one first (e.g. in 3D Slicer, or SimpleITK's image[:, :, :, 0])`);
  }
  return [size[0], size[1], imageType.dimension >= 3 ? size[2] : 1];
}

/** Voxel values as float32 (no scaling: ITK has applied any the format defines); NaN or infinite values are refused. */
function float32Values(data: ArrayLike<number | bigint>, fileName: string): Float32Array {
  const values = new Float32Array(data.length);
  for (let n = 0; n < data.length; n++) values[n] = Number(data[n]);
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v - v !== 0) {
      throw new FqlabError('non-finite', fileName,
        `has NaN or infinite voxel values (first at voxel index ${n}, value ${v}); fix the image (e.g. replace NaN with 0) and save it again`);
    }
  }
  return values;
}

/**
 * fqlab's Volume of an itk-wasm image: data in ITK's order (x fastest, as NIfTI), the RAS affine of `itkRasAffine`.
 * @example
 * const { volume } = itkImageToVolume((await metaReadImageNode(path)).image, 'scan.mha');
 */
export function itkImageToVolume(image: ItkImage, fileName: string, maxVoxels = DEFAULT_MAX_VOXELS): { volume: Volume; datatypeName: string } {
  const dims = scalarGrid(image, fileName);
  const voxels = dims[0] * dims[1] * dims[2];
  if (voxels > maxVoxels) {
    throw new FqlabError('too-large', fileName,
      `has ${dims.join(' x ')} = ${voxels} voxels, more than the ${maxVoxels} fqlab reads; crop or downsample the image first`);
  }
  if (!image.data || image.data.length !== voxels) {
    throw new FqlabError('truncated', fileName,
      `holds ${image.data?.length ?? 0} voxel values but its header promises ${dims.join(' x ')} = ${voxels}; the file is cut off, copy or download it again`);
  }
  const affine = itkRasAffine(image);
  if (!affine.every(Number.isFinite)) {
    throw new FqlabError('bad-header', fileName, 'has NaN or infinite numbers in its origin, spacing or direction; fix the header and save it again');
  }
  return {
    volume: { dims, data: float32Values(image.data, fileName), affine, spacing: spacingFromAffine(affine) },
    datatypeName: image.imageType.componentType,
  };
}
