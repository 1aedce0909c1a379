// Compact NIfTI output for the demo: [0, 1] images as uint8 with scl_slope 1/255, masks as uint8, all gzipped.
import { gzipSync } from 'fflate';
import { writeNifti } from '../../src/core/nifti/index.ts';
import type { Volume } from '../../src/core/volume.ts';

function gzip(file: Uint8Array): Uint8Array {
  // mtime 0 and a fixed level: the same volume always gives the same bytes; level 9 because the demo ships.
  return gzipSync(file, { level: 9, mtime: 0 });
}

/**
 * A [0, 1] image as uint8 levels round(255 x) with scl_slope = 1/255, so readers see values in [0, 1] again
 * (quantisation step 1/255, below the images' 1-2 % noise) at a quarter of float32's size.
 */
export function encodeUnitImage(volume: Volume, description: string): Uint8Array {
  const clipped = volume.data.map((v) => Math.min(1, Math.max(0, v)));
  return gzip(writeNifti({ ...volume, data: clipped }, { datatype: 'uint8', uint8Slope: 1 / 255, gzip: false, description }));
}

/** A 0/1 mask or label map as gzipped uint8. */
export function encodeMask(volume: Volume, description: string): Uint8Array {
  return gzip(writeNifti(volume, { datatype: 'uint8', gzip: false, description }));
}
