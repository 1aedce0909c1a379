// fqlab volumes as ITK images (the shape itk-wasm pipelines such as elastix take): LPS+ origin and direction.
import type { Volume } from '../volume.ts';

/** A 3D float32 scalar image in itk-wasm's interface shape (structurally an itk-wasm `Image`). */
export interface ItkScalarImage {
  imageType: { dimension: 3; componentType: 'float32'; pixelType: 'Scalar'; components: 1 };
  name: string;
  /** Position of voxel 0 in LPS+ mm. */
  origin: number[];
  spacing: number[];
  /** Direction cosines, D(row, col) at [col + 3 * row] (itk-wasm's setMatrixElement); column c is voxel axis c. */
  direction: Float64Array;
  size: number[];
  metadata: Map<string, string | string[] | number | number[] | number[][]>;
  data: Float32Array;
}

/**
 * The ITK image of a volume: RAS+ rows x and y change sign for LPS+, the affine's columns divided by the voxel sizes
 * give the direction. The voxel order (first axis fastest) is the same in NIfTI and ITK, so the data is shared.
 */
export function volumeToItkImage(volume: Volume, name: string): ItkScalarImage {
  const a = volume.affine;
  const direction = new Float64Array(9);
  for (let row = 0; row < 3; row++) {
    const sign = row < 2 ? -1 : 1;
    for (let col = 0; col < 3; col++) direction[col + 3 * row] = (sign * a[row * 4 + col]) / volume.spacing[col];
  }
  return {
    imageType: { dimension: 3, componentType: 'float32', pixelType: 'Scalar', components: 1 },
    name,
    origin: [-a[3], -a[7], a[11]],
    spacing: [...volume.spacing],
    direction,
    size: [...volume.dims],
    metadata: new Map(),
    data: volume.data,
  };
}
