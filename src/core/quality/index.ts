// Quality maps of a reconstruction against its input: SSIM loss, l1 and their fusion FQ (SPEC 4).
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
export { DEFAULT_FQ_ALPHA, fqMap } from './fq.ts';
