// The denoising U-Net's hyperparameters and the named presets (paper, base, small, tiny) with their costs (SPEC 3).

/** guided-diffusion UNetModel settings that the engine varies; everything else is fixed (see unetPlan.ts). */
export interface UNetConfig {
  /** Base width w (model_channels); the time embedding is sinusoidal of dim w, then 4w. */
  modelChannels: number;
  /** Width multiplier per resolution level (level l runs at 96 / 2^l). */
  channelMult: number[];
  /** ResBlocks per level on the way down (the way up has one more). */
  numResBlocks: number;
  /** GroupNorm groups (32 in the reference). */
  groups: number;
  /** Heads of the middle self-attention. */
  numHeads: number;
  /** Whether the middle block has its attention (the reference: yes). */
  middleAttention: boolean;
  /**
   * false: the timestep embedding is added after each ResBlock's first convolution (DDPM's use_scale_shift_norm=False,
   * 34,493,313 parameters at paper size); absent: scale-shift GroupNorm conditioning (pDDPM, every earlier checkpoint).
   */
  scaleShift?: false;
}

export type UNetPresetName = 'paper' | 'base' | 'small' | 'tiny';

/**
 * Parameter counts are exact (tests/engine/unet.test.ts); GFLOP counts a multiply-add as 2 and
 * are per 96 x 96 slice forward (unetForwardFlops).
 * - paper: the published model, 37,513,857 parameters, ~149 GFLOP.
 * - base:  w = 64, 9,393,473 parameters, ~37 GFLOP.
 * - small: w = 32, 2,355,873 parameters, ~9.4 GFLOP.
 * - tiny:  w = 8, one ResBlock per level, GroupNorm 4, no middle attention: 83,033 parameters,
 *          ~0.33 GFLOP, for CPU / browser training.
 * Node WASM, one thread of a 2-core AMD EPYC VM (npm run bench -- engineVsTorch measures it): a batch-8 training step
 * takes ~0.35 s (tiny) and ~3.5 s (small), a batch-4 base step ~5.4 s and a batch-2 paper step ~11 s. tfjs keeps every
 * intermediate of a backward pass: the WASM heap grows by about 45 (tiny), 270 (small), 510 (base) and 1,000 (paper) MB
 * per slice of a micro-batch, under its 4 GB ceiling at the MICRO_BATCH_DEFAULTS.
 */
export const UNET_PRESETS: Readonly<Record<UNetPresetName, Readonly<UNetConfig>>> = {
  paper: { modelChannels: 128, channelMult: [1, 2, 2], numResBlocks: 3, groups: 32, numHeads: 4, middleAttention: true },
  base: { modelChannels: 64, channelMult: [1, 2, 2], numResBlocks: 3, groups: 32, numHeads: 4, middleAttention: true },
  small: { modelChannels: 32, channelMult: [1, 2, 2], numResBlocks: 3, groups: 32, numHeads: 4, middleAttention: true },
  tiny: { modelChannels: 8, channelMult: [1, 2, 2], numResBlocks: 1, groups: 4, numHeads: 4, middleAttention: false },
};

/** A copy of a preset's config (callers may tweak it). */
export function unetPreset(name: UNetPresetName): UNetConfig {
  const p = UNET_PRESETS[name];
  return { ...p, channelMult: [...p.channelMult] };
}
