// Test helper: small synthetic volumes for the CLI tests, written as NIfTI files into a temporary folder.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNifti } from '../../src/core/nifti/index.ts';
import type { Dims3, Volume } from '../../src/core/volume.ts';

export const identity = Float64Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

/** A volume with value(i, j, k) at each voxel (x fastest, as NIfTI stores it). */
export function makeVolume(dims: Dims3, value: (i: number, j: number, k: number) => number, affine = identity): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = value(i, j, k);
  return { dims, data, affine, spacing: [1, 1, 1] };
}

/** Writes `volume` as dir/name (gzipped when the name ends in .gz) and returns the path. */
export function writeVolume(dir: string, name: string, volume: Volume, datatype: 'float32' | 'uint8' = 'float32'): string {
  const path = join(dir, name);
  writeFileSync(path, writeNifti(volume, { datatype, gzip: name.endsWith('.gz') }));
  return path;
}
