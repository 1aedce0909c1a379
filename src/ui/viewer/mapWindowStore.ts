// Zustand store of the display window each quality map was drawn with, for the colorbar beside the viewer.
import { create } from 'zustand';
import type { MapLayer } from '../../../workers/api.ts';
import type { MapWindow } from './mapWindow.ts';

interface MapWindowState {
  /** Keyed by `${caseId}|${layer}`. */
  windows: Record<string, MapWindow>;
  setWindow: (caseId: string, layer: MapLayer, window: MapWindow) => void;
}

export const useMapWindowStore = create<MapWindowState>()((set) => ({
  windows: {},
  setWindow: (caseId, layer, window) => set((state) => ({ windows: { ...state.windows, [`${caseId}|${layer}`]: window } })),
}));
