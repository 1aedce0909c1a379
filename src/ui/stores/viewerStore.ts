// Zustand store of the viewer settings: which case, which layers with which colormap and opacity, and the crosshair readout.
import { create } from 'zustand';
import type { MapLayer } from '../../../workers/api.ts';
import { DEFAULT_LAYER_STYLES, type LayerStyle } from '../viewer/layerStyles.ts';

export type ViewLayout = 'axial' | 'multiplanar';
/** The continuous map drawn over the scan (one at a time, so colours stay readable). */
export type MapOverlay = 'none' | 'reconstruction' | 'ssim-loss' | 'l1' | 'fq';

/** Value of every loaded layer at the crosshair voxel. */
export interface CrosshairReadout {
  voxel: [number, number, number];
  values: { layer: MapLayer; value: number }[];
}

interface ViewerState {
  caseId: string | null;
  layout: ViewLayout;
  mapOverlay: MapOverlay;
  showPrediction: boolean;
  showGroundTruth: boolean;
  /** The case's brain mask outlined on the scan (e.g. to check a registration's skull stripping). */
  showBrainMask: boolean;
  /** For a registered case: show the scan as loaded (its own grid, with skull) and the mask, instead of the conformed case. */
  showNativeCheck: boolean;
  /** The crosshair lines over the image (the click still moves the readout when they are hidden). */
  showCrosshair: boolean;
  styles: Record<MapLayer, LayerStyle>;
  readout: CrosshairReadout | null;
  /** Bumped when the case on screen was conformed again, so the viewer reloads its layers. */
  layersVersion: number;
  setCaseId: (caseId: string | null) => void;
  setLayout: (layout: ViewLayout) => void;
  setMapOverlay: (overlay: MapOverlay) => void;
  setShowPrediction: (show: boolean) => void;
  setShowGroundTruth: (show: boolean) => void;
  setShowBrainMask: (show: boolean) => void;
  setShowNativeCheck: (show: boolean) => void;
  setShowCrosshair: (show: boolean) => void;
  setStyle: (layer: MapLayer, patch: Partial<LayerStyle>) => void;
  setReadout: (readout: CrosshairReadout | null) => void;
  bumpLayers: () => void;
}

export const useViewerStore = create<ViewerState>()((set) => ({
  caseId: null,
  layout: 'axial',
  mapOverlay: 'none',
  showPrediction: false,
  showGroundTruth: true,
  showBrainMask: false,
  showNativeCheck: false,
  showCrosshair: true,
  styles: DEFAULT_LAYER_STYLES,
  readout: null,
  layersVersion: 0,
  setCaseId: (caseId) => set({ caseId, readout: null }),
  setLayout: (layout) => set({ layout }),
  setMapOverlay: (mapOverlay) => set({ mapOverlay }),
  setShowPrediction: (showPrediction) => set({ showPrediction }),
  setShowGroundTruth: (showGroundTruth) => set({ showGroundTruth }),
  setShowBrainMask: (showBrainMask) => set({ showBrainMask }),
  setShowNativeCheck: (showNativeCheck) => set({ showNativeCheck }),
  setShowCrosshair: (showCrosshair) => set({ showCrosshair }),
  setStyle: (layer, patch) => set((state) => ({ styles: { ...state.styles, [layer]: { ...state.styles[layer], ...patch } } })),
  setReadout: (readout) => set({ readout }),
  bumpLayers: () => set((state) => ({ layersVersion: state.layersVersion + 1 })),
}));

/** The layers the viewer should show, bottom to top. */
export function visibleLayers(
  state: Pick<ViewerState, 'mapOverlay' | 'showPrediction' | 'showGroundTruth' | 'showBrainMask'>,
  available: ReadonlySet<MapLayer>,
): MapLayer[] {
  const layers: MapLayer[] = ['image'];
  if (state.mapOverlay !== 'none' && available.has(state.mapOverlay)) layers.push(state.mapOverlay);
  if (state.showPrediction && available.has('prediction')) layers.push('prediction');
  if (state.showGroundTruth && available.has('segmentation')) layers.push('segmentation');
  if (state.showBrainMask && available.has('brain-mask')) layers.push('brain-mask');
  return layers;
}
