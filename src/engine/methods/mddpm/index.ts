// mDDPM behind the method registry: pDDPM's U-Net, boxes and inference, trained on frequency-patch-masked slices (BASELINES.md 10).
import { diffusionMethod } from '../diffusion/index.ts';
import type { MethodDescription } from '../types.ts';
import { maskedInput } from './masking.ts';

/**
 * Iqbal et al.'s mDDPM (hasan1292/mDDPM): x_t is built from the masked slice, the loss target is the clean one; test
 * time is pDDPM's. The reference also lists every training volume 6 times per epoch; here an epoch is one slice per
 * volume as for every method (choose the steps accordingly).
 */
export const mddpmMethod: MethodDescription = {
  ...diffusionMethod('mddpm', 'mDDPM', 'exact: hasan1292/mDDPM (BASELINES.md 10)', 'patched', true),
  trainingInput: (config, rng, slice, brainMask) => maskedInput(slice, brainMask, config.dims[0], rng),
};
