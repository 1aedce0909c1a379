// Display defaults for every viewer layer: a readable name, a NiiVue colormap and an opacity.
import type { MapLayer, ScoreKind } from '../../../workers/api.ts';

export interface LayerStyle {
  colormap: string;
  opacity: number;
}

export const LAYER_NAMES: Record<MapLayer, string> = {
  image: 'Scan',
  'brain-mask': 'Brain-mask outline',
  segmentation: 'Ground-truth outline',
  reconstruction: 'Reconstruction',
  'ssim-loss': 'SSIM-loss map',
  l1: 'l1 map',
  fq: 'FQ map',
  prediction: 'Prediction outline',
};

/** The one sequential colormap of the quality maps (FQ, SSIM-loss, l1): dark violet to yellow, fading to clear at 0. */
export const MAP_COLORMAP = 'fqlab-anomaly';
export const MAP_COLORMAP_TABLE = {
  I: [0, 1, 96, 128, 192, 255],
  R: [0, 60, 150, 220, 250, 252],
  G: [0, 10, 40, 70, 160, 255],
  B: [0, 110, 110, 60, 20, 160],
  // Scores below mid-scale (the threshold, by the default window) are faint, so a lesion stands out without
  // thresholding; exact 0 (outside the brain) is clear.
  A: [0, 8, 60, 170, 235, 255],
};

/** Maps windowed like anomaly scores (0 up to a threshold multiple or percentile) and drawn in MAP_COLORMAP. */
export const QUALITY_MAP_LAYERS: readonly MapLayer[] = ['fq', 'ssim-loss', 'l1'];

/** The quality map each score kind thresholds. */
export const SCORE_MAP_LAYERS: Record<ScoreKind, MapLayer> = { fq: 'fq', l1: 'l1', ssim: 'ssim-loss' };

export const DEFAULT_LAYER_STYLES: Record<MapLayer, LayerStyle> = {
  image: { colormap: 'gray', opacity: 1 },
  'brain-mask': { colormap: 'winter', opacity: 1 },
  segmentation: { colormap: 'green', opacity: 1 },
  reconstruction: { colormap: 'gray', opacity: 1 },
  'ssim-loss': { colormap: MAP_COLORMAP, opacity: 0.85 },
  l1: { colormap: MAP_COLORMAP, opacity: 0.85 },
  fq: { colormap: MAP_COLORMAP, opacity: 0.85 },
  prediction: { colormap: 'red', opacity: 1 },
};

/** Label layers drawn as an outline on the scan, with the name their one label gets. */
export const OUTLINE_LAYERS: Partial<Record<MapLayer, string>> = { segmentation: 'lesion', 'brain-mask': 'brain', prediction: 'predicted' };

/** Colormaps offered in the layer controls (built into NiiVue, and fqlab's map colormap). */
export const COLORMAP_CHOICES = [MAP_COLORMAP, 'gray', 'hot', 'warm', 'inferno', 'viridis', 'plasma', 'winter', 'red', 'green', 'blue', 'actc'] as const;

/** The file name a layer gets inside NiiVue, so crosshair values can be mapped back to layers. */
export function layerVolumeName(layer: MapLayer): string {
  return `${layer}.nii`;
}

export function layerFromVolumeName(name: string): MapLayer | null {
  const stem = name.replace(/\.nii(\.gz)?$/, '');
  return stem in LAYER_NAMES ? (stem as MapLayer) : null;
}
