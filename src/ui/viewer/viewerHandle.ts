// The live NiiVue instance, registered by the viewer while it is mounted, for exports that need its canvas.
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
