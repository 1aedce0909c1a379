// Draws one axial slice of a conformed case as RGBA pixels: the scan in grey, a quality map over it in the map colormap, the ground truth outlined (the side-by-side comparison).
import { DEFAULT_LAYER_STYLES, MAP_COLORMAP_TABLE } from './layerStyles.ts';

export interface SliceLayers {
  dims: readonly [number, number, number];
  image: ArrayLike<number>;
  /** The quality map drawn over the scan, or null for the scan alone. */
  map: ArrayLike<number> | null;
  /** Ground-truth labels (non-zero = lesion), outlined; null when the case has none. */
  seg: ArrayLike<number> | null;
}

export interface DisplayWindow {
  min: number;
  max: number;
}

/** The ground-truth outline's colour (the viewer's 'green'). */
const OUTLINE_RGB = [0, 255, 0] as const;

/** MAP_COLORMAP_TABLE as 256 RGBA entries, linear between its nodes. */
export function mapColormapLut(): Uint8ClampedArray {
  const { I, R, G, B, A } = MAP_COLORMAP_TABLE;
  const lut = new Uint8ClampedArray(256 * 4);
  for (let n = 0; n + 1 < I.length; n++) {
    for (let i = I[n]; i <= I[n + 1]; i++) {
      const t = I[n + 1] === I[n] ? 0 : (i - I[n]) / (I[n + 1] - I[n]);
      [R, G, B, A].forEach((channel, c) => (lut[i * 4 + c] = channel[n] + t * (channel[n + 1] - channel[n])));
    }
  }
  return lut;
}

function windowed(value: number, window: DisplayWindow): number {
  const span = window.max - window.min;
  return span > 0 ? Math.min(1, Math.max(0, (value - window.min) / span)) : 0;
}

/**
 * RGBA pixels (nx x ny, 4 bytes each) of axial slice k: row 0 is the highest j (anterior up on fqlab's conformed
 * grid), the map blended over the scan by the colormap's alpha and the map layers' opacity, lesion borders in green.
 */
export function renderSlice(layers: SliceLayers, k: number, windows: { image: DisplayWindow; map: DisplayWindow }, lut: Uint8ClampedArray): Uint8ClampedArray<ArrayBuffer> {
  const [nx, ny] = layers.dims;
  const base = k * nx * ny;
  const out = new Uint8ClampedArray(nx * ny * 4);
  const opacity = DEFAULT_LAYER_STYLES.fq.opacity;
  const lesion = (i: number, j: number) => i >= 0 && j >= 0 && i < nx && j < ny && layers.seg !== null && layers.seg[base + j * nx + i] !== 0;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = base + j * nx + i;
      const p = ((ny - 1 - j) * nx + i) * 4;
      const grey = 255 * windowed(layers.image[v], windows.image);
      let rgb = [grey, grey, grey];
      if (layers.map !== null && layers.map[v] > 0) {
        const entry = Math.round(255 * windowed(layers.map[v], windows.map)) * 4;
        const alpha = (lut[entry + 3] / 255) * opacity;
        rgb = rgb.map((g, c) => g * (1 - alpha) + lut[entry + c] * alpha);
      }
      if (lesion(i, j) && (!lesion(i - 1, j) || !lesion(i + 1, j) || !lesion(i, j - 1) || !lesion(i, j + 1))) rgb = [...OUTLINE_RGB];
      out[p] = rgb[0];
      out[p + 1] = rgb[1];
      out[p + 2] = rgb[2];
      out[p + 3] = 255;
    }
  }
  return out;
}
