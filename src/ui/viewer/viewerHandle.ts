// The live NiiVue instance, registered by the viewer while it is mounted, for exports and for moving its crosshair.
import type { Niivue } from '@niivue/niivue';

let current: Niivue | null = null;

export function registerViewer(nv: Niivue | null): void {
  current = nv;
}

/** A PNG of what the viewer shows now (drawn and read in one task, so the WebGL buffer is still there). */
export function captureViewerPng(): Promise<Blob> {
  const nv = current;
  const canvas = nv?.canvas;
  if (!nv || !canvas) return Promise.reject(new Error('the viewer is not ready: load a case first'));
  nv.drawScene();
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the browser could not encode the viewer canvas as PNG'))), 'image/png');
  });
}

/** Moves the crosshair (and so the shown slice) to a voxel of the shown grid; false when the viewer has no volume yet. */
export function moveCrosshairToVoxel(voxel: [number, number, number]): boolean {
  const nv = current;
  if (!nv?.back) return false;
  nv.scene.crosshairPos = nv.vox2frac(voxel);
  nv.drawScene();
  nv.createOnLocationChange();
  return true;
}
