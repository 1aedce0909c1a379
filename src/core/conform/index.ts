// Public face of the conform pipeline: conformVolumes, its steps, and the mapping back to the input grid.
export { conformVolumes } from './conform.ts';
export type { ConformInput, ConformOptions, ConformResult, ConformStats } from './conform.ts';
export { mapToInputGrid } from './mapping.ts';
export { acceptConformed, CONFORMED_GRID } from './passthrough.ts';
export type { ConformMapping } from './mapping.ts';
export { closestCanonicalOrientation, orientationCodes, reorientToCanonical } from './orientation.ts';
export { canonicalBox, canonicalDims, orientedBlock } from './block.ts';
export type { CanonicalOrientation } from './block.ts';
export { brainBoundingBox, cropOrPad, cropOrPadOffset, cropToBoundingBox, extractBlock } from './crop.ts';
export type { BoundingBox } from './crop.ts';
export { backgroundIntensity, binaryMask, deriveBrainMask } from './brainMask.ts';
export { percentileClipNormalize } from './intensity.ts';
export type { NormalizedImage } from './intensity.ts';
export { percentilesInPlace } from './percentile.ts';
export { downsample2 } from './downsample.ts';
export type { DownsampleInterpolation } from './downsample.ts';
export { curvatureFlow, CURVATURE_FLOW_REFERENCE } from './curvatureFlow.ts';
export type { CurvatureFlowOptions } from './curvatureFlow.ts';
