// Post-processing of anomaly maps (SPEC 5): brain-mask erosion, 3D median filter, small-component removal.
export { erodeMask2D } from './erosion.ts';
export { medianFilter3D, preferredMedianKernel, reflectIndices, type MedianKernel } from './median.ts';
export { connectedComponents26, keptForegroundCounts, removeSmallComponents, type Components, type KeptForegroundCounts } from './components.ts';
export { postprocessMap, type PostprocessOptions } from './postprocessMap.ts';
