// Axial slices of one case as RGBA pixels for the compare strip: scan and reconstruction in gray on one window, the
// quality map in the overlay's colormap and window over the scan, zero (outside the brain) clear.

/** A volume on the conformed grid, x fastest. */
export interface SliceSource {
  data: ArrayLike<number>;
  dims: readonly [number, number, number];
}

export interface DisplayWindow {
  min: number;
  max: number;
}

/** The slice's pixel for (row, column): row 0 is the top, the highest j (anterior), as NiiVue's axial view shows the grid. */
function voxelIndex(dims: SliceSource['dims'], k: number, row: number, column: number): number {
  const [nx, ny] = dims;
  return column + nx * (ny - 1 - row + ny * k);
}

/** Axial slice k (clamped to the volume) in gray, `window` from black to white; width x height = nx x ny. */
export function graySlice(volume: SliceSource, k: number, window: DisplayWindow): Uint8ClampedArray<ArrayBuffer> {
  const [nx, ny, nz] = volume.dims;
  const slice = Math.min(nz - 1, Math.max(0, Math.round(k)));
  const span = window.max > window.min ? window.max - window.min : 1;
  const pixels = new Uint8ClampedArray(nx * ny * 4);
  for (let row = 0; row < ny; row++) {
    for (let column = 0; column < nx; column++) {
      const value = volume.data[voxelIndex(volume.dims, slice, row, column)];
      const gray = Number.isFinite(value) ? ((value - window.min) / span) * 255 : 0;
      const p = (row * nx + column) * 4;
      pixels[p] = pixels[p + 1] = pixels[p + 2] = gray;
      pixels[p + 3] = 255;
    }
  }
  return pixels;
}

/**
 * Draws axial slice k of a quality map over `base` (a graySlice of the same grid) as NiiVue draws the overlay
 * (ZERO_TO_MAX_TRANSPARENT_BELOW_MIN): the colour of value / window.max in `lut` (256 RGBA entries), opaque where the
 * entry's alpha is not 0, faded by (value / window.min)^2 below window.min, times `opacity` (capped at 1); 0 stays clear.
 */
export function mapOverSlice(
  base: Uint8ClampedArray<ArrayBuffer>,
  map: SliceSource,
  k: number,
  window: DisplayWindow,
  lut: ArrayLike<number>,
  opacity: number,
): Uint8ClampedArray<ArrayBuffer> {
  const [nx, ny, nz] = map.dims;
  const slice = Math.min(nz - 1, Math.max(0, Math.round(k)));
  const pixels = new Uint8ClampedArray(base);
  const top = window.max > 0 ? window.max : 1;
  for (let row = 0; row < ny; row++) {
    for (let column = 0; column < nx; column++) {
      const value = map.data[voxelIndex(map.dims, slice, row, column)];
      if (!(value > 0)) continue;
      // NiiVue rounds a surviving voxel up to the colormap's third entry, so it never lands on the clear first one.
      const entry = Math.min(255, Math.max(2, Math.round((value / top) * 255))) * 4;
      if (lut[entry + 3] === 0) continue;
      const fade = window.min > 0 ? (value / window.min) ** 2 : 1;
      const alpha = Math.min(1, fade * opacity);
      const p = (row * nx + column) * 4;
      for (let c = 0; c < 3; c++) pixels[p + c] = pixels[p + c] * (1 - alpha) + lut[entry + c] * alpha;
    }
  }
  return pixels;
}
