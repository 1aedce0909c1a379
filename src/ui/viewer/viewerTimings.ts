// Names of the performance measures the viewer records on a viewed-case update, read by bench/browser.bench.ts (never by tests).

/** performance.measure names: the voxel write into the FQ volume, NiiVue's redraw call, and redraw start to the frame after it was composited. */
export const VIEWER_MEASURES = {
  writeVoxels: 'fqlab:viewer-write-voxels',
  redraw: 'fqlab:viewer-redraw',
  redrawComposited: 'fqlab:viewer-redraw-composited',
} as const;
