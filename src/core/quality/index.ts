// Quality maps of a reconstruction against its input: SSIM loss, l1 and their fusion FQ (SPEC 4); MS-SSIM and GMS losses as other structural terms.
export { gaussianWindow, gaussianWindow1D } from './gaussianWindow.ts';
export {
  SSIM_C1,
  SSIM_C2,
  SSIM_SIGMA,
  SSIM_WINDOW_SIZE,
  gaussianFilterSlice,
  ssimFromMoments,
  ssimLossFromSsim,
  ssimLossMap,
  ssimMap,
} from './ssim.ts';
export { l1Map } from './l1.ts';
export { MS_SSIM_WEIGHTS, msSsimLossMap } from './msSsim.ts';
export { GMSD_C, gmsLossMap } from './gmsd.ts';
export { STRUCTURAL_TERMS, structuralLossMap, type StructuralTerm } from './structural.ts';
export { DEFAULT_FQ_ALPHA, fqMap } from './fq.ts';
