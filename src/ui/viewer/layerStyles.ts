// Display defaults for every viewer layer: a readable name, a NiiVue colormap and an opacity.
import type { MapLayer } from '../../../workers/api.ts';

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
  prediction: 'Thresholded prediction',
};

export const DEFAULT_LAYER_STYLES: Record<MapLayer, LayerStyle> = {
  image: { colormap: 'gray', opacity: 1 },
  'brain-mask': { colormap: 'winter', opacity: 1 },
  segmentation: { colormap: 'green', opacity: 1 },
  reconstruction: { colormap: 'gray', opacity: 1 },
  'ssim-loss': { colormap: 'hot', opacity: 0.6 },
  l1: { colormap: 'warm', opacity: 0.6 },
  fq: { colormap: 'inferno', opacity: 0.6 },
  prediction: { colormap: 'red', opacity: 0.5 },
};

/** Label layers drawn as an outline on the scan, with the name their one label gets. */
export const OUTLINE_LAYERS: Partial<Record<MapLayer, string>> = { segmentation: 'lesion', 'brain-mask': 'brain' };

/** Colormaps offered in the layer controls (all built into NiiVue). */
export const COLORMAP_CHOICES = ['gray', 'hot', 'warm', 'inferno', 'viridis', 'plasma', 'winter', 'red', 'green', 'blue', 'actc'] as const;

/** The file name a layer gets inside NiiVue, so crosshair values can be mapped back to layers. */
export function layerVolumeName(layer: MapLayer): string {
  return `${layer}.nii`;
}

export function layerFromVolumeName(name: string): MapLayer | null {
  const stem = name.replace(/\.nii(\.gz)?$/, '');
  return stem in LAYER_NAMES ? (stem as MapLayer) : null;
}
