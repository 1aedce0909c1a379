// Every hyperparameter of a pDDPM training run in one typed object with the paper's defaults (SPEC 3); saved in checkpoints.
import { upgradeAirMode, type AirMode, type AirStatistics } from '../core/air.ts';
import type { CurvatureFlowOptions } from '../core/conform/curvatureFlow.ts';
import type { Modality } from '../core/modality.ts';
import { DEFAULT_FQ_ALPHA } from '../core/quality/index.ts';
import { ADAM_DEFAULTS, type AdamSettings } from './adam.ts';
import type { LossKind, LossRange } from './loss.ts';
import type { NoiseType } from './noise.ts';
import type { PatchingMode } from './patching.ts';
import { COSINE_OFFSET, DIFFUSION_STEPS } from './schedule.ts';
import { SIMPLEX_DEFAULTS, type SimplexParams } from './simplexNoise.ts';
import type { BaselineSettings, MethodName } from './methods/types.ts';
import { CONFORMED_DIMS } from './trainingData.ts';
import { unetPreset, type UNetConfig, type UNetPresetName } from './unetConfig.ts';

/** The AIR switch as decided for this run: the user's mode, the outcome, and the statistics and modalities it was based on. */
export interface AirSetting {
  mode: AirMode;
  enabled: boolean;
  stats: AirStatistics | null;
  /** The training cases' modalities, distinct, in first-seen order ([] in checkpoints saved before they were recorded). */
  modalities: Modality[];
}

export interface TrainingConfig {
  /** Volume grid (x, y, axial): fqlab's conformed 96 x 96 x 50; smaller square grids only for tests. */
  dims: [number, number, number];
  /** Preset the network came from ('custom' when edited). */
  preset: UNetPresetName | 'custom';
  /** The diffusion methods' U-Net (null for the other methods, whose settings are in `baseline`). */
  unet: UNetConfig | null;
  /** pDDPM boxes or plain DDPM. */
  patching: PatchingMode;
  loss: LossKind;
  /** FQ weight of the SSIM loss (used when loss = 'fq'). */
  alpha: number;
  /** Range the FQ loss is computed on ('model' = [-1, 1], the reference's quirk). */
  lossRange: LossRange;
  noise: NoiseType;
  simplex: SimplexParams;
  diffusionSteps: number;
  cosineOffset: number;
  adam: AdamSettings;
  /** Slices per optimiser step; volumes for a method whose samples are whole volumes (SVAE; MethodDescription.sequenceLength). */
  batchSize: number;
  /**
   * Slices (SVAE: volumes) per forward/backward pass; a batch's gradients are summed over its micro-batches before
   * the one Adam update (same step, bounded memory: tfjs keeps every intermediate of a backward pass,
   * ~0.18 GB per 96 x 96 slice for tiny, ~1.2 GB for small, ~5 GB for base).
   */
  microBatchSize: number;
  seed: number;
  /** Sample only axial slices that contain brain. */
  brainSlicesOnly: boolean;
  air: AirSetting;
  /**
   * The read-time curvature-flow smoothing the training images had (SPEC 1 step 0), recorded, not applied here;
   * null when none: unsmoothed or already conformed volumes, and checkpoints from before it was recorded.
   */
  smoothing: CurvatureFlowOptions | null;
  /** Validation every this many steps (and after the last step of a run). */
  validateEvery: number;
  /** Number of fixed validation slices drawn from the held-out volumes. */
  validationSlices: number;
  /** The method (src/engine/methods/); checkpoints saved before methods existed are 'pddpm'. */
  method: MethodName;
  /** A non-diffusion method's own settings (network, noise, options); null for pDDPM and DDPM. */
  baseline: BaselineSettings | null;
}

/**
 * Micro-batch defaults per preset, inside the WASM backend's 4 GB heap. Larger micro-batches give the convolutions more
 * tiles per call: best CPU time of 3 batch-8 small steps on the 2-core VM, 3.75 s in micro-batches of 2 against 3.43-3.46 s
 * of 4 or 8; a batch-4 base step 5.9-6.0 s of 1 against 5.3-5.5 s of 2 (heap 1.3 and 1.4 GiB). Paper's 2 (2.8 GiB) and
 * tiny's 8 were not faster beyond that VM's noise. Two micro-batches per step let a helper thread take one.
 */
export const MICRO_BATCH_DEFAULTS: Readonly<Record<UNetPresetName, number>> = { paper: 1, base: 2, small: 4, tiny: 4 };

/** The paper's settings (pDDPM-IQA: FQ loss, alpha 0.84, simplex noise, batch 32, Adam 1e-4) on a chosen preset. */
export function defaultTrainingConfig(preset: UNetPresetName = 'paper', overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return {
    dims: [...CONFORMED_DIMS],
    preset,
    unet: unetPreset(preset),
    patching: 'patched',
    loss: 'fq',
    alpha: DEFAULT_FQ_ALPHA,
    lossRange: 'model',
    noise: 'simplex',
    simplex: { ...SIMPLEX_DEFAULTS },
    diffusionSteps: DIFFUSION_STEPS,
    cosineOffset: COSINE_OFFSET,
    adam: { ...ADAM_DEFAULTS },
    batchSize: 32,
    microBatchSize: MICRO_BATCH_DEFAULTS[preset],
    seed: 0,
    brainSlicesOnly: true,
    air: { mode: 'off', enabled: false, stats: null, modalities: [] },
    smoothing: null,
    validateEvery: 50,
    validationSlices: 64,
    method: 'pddpm',
    baseline: null,
    ...overrides,
  };
}

/**
 * A TrainingConfig as any fqlab version saved it: before the per-modality AIR rule, AIR mode 'auto' and no
 * modalities; before read-time smoothing, no smoothing record.
 */
export type SavedTrainingConfig = Omit<TrainingConfig, 'air' | 'smoothing' | 'method' | 'baseline'> & {
  air: Omit<AirSetting, 'mode' | 'modalities'> & { mode: AirMode | 'auto'; modalities?: Modality[] };
  smoothing?: CurvatureFlowOptions | null;
  method?: MethodName;
  baseline?: BaselineSettings | null;
};

/**
 * Today's TrainingConfig for a saved one. A saved AIR decision (`enabled`) is kept as recorded, never recomputed:
 * 'auto' becomes 'stats' (what it meant), missing modalities become []; a missing smoothing record means none; a missing
 * method means pDDPM (its `patching` still tells the old DDPM mode apart).
 */
export function upgradeTrainingConfig(saved: SavedTrainingConfig): TrainingConfig {
  const { air, smoothing, validateEvery, validationSlices, method, baseline, ...rest } = saved;
  const { mode, enabled, stats, modalities } = air;
  // Keys in defaultTrainingConfig's order (also where an old checkpoint lacks smoothing), so re-saving keeps the bytes.
  return {
    ...rest,
    air: { mode: upgradeAirMode(mode), enabled, stats, modalities: modalities ?? [] },
    smoothing: smoothing ?? null,
    validateEvery,
    validationSlices,
    method: method ?? 'pddpm',
    baseline: baseline ?? null,
  };
}
