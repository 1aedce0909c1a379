// f-AnoGAN behind the method registry (BASELINES.md 7, surrogate): presets, the two-stage split and the training config.
import type { Rng } from '../../rng.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import type { MethodDescription, PresetName } from '../types.ts';
import { trainableCount } from '../weightStore.ts';
import { FANOGAN_ADAM, FANOGAN_LEVELS, FANOGAN_NETWORKS, fanoganNetworkSpecs, fanoganParamSpecs, fanoganTrainingNoise, type FanoganSettings } from './network.ts';
import { FanoganNetwork } from './stages.ts';

type FanoganPreset = 'paper' | 'small' | 'tiny';

/**
 * Base width d and latent size per preset. paper = UPD's d 64, z 128 at 96 x 96: G 9,323,713, D 9,081,217,
 * E 5,321,472 trainable parameters (23,726,402); small and tiny quarter and sixteenth the widths for a CPU or a browser.
 */
const SIZES: Readonly<Record<FanoganPreset, Pick<FanoganSettings, 'dim' | 'zDim'>>> = {
  paper: { dim: 64, zDim: 128 },
  small: { dim: 16, zDim: 64 },
  tiny: { dim: 4, zDim: 16 },
};

const PRESETS: readonly FanoganPreset[] = ['paper', 'small', 'tiny'];

/** Slices per critic pass by preset, sized for the WASM backend's 4 GB heap (the gradient penalty differentiates twice). */
const CRITIC_CHUNK: Readonly<Record<FanoganPreset, number>> = { paper: 2, small: 8, tiny: 32 };

export function fanoganSettings(preset: PresetName, ganSteps = 30_000): FanoganSettings {
  const size = SIZES[(PRESETS as readonly PresetName[]).includes(preset) ? (preset as FanoganPreset) : 'paper'];
  return {
    kind: 'fanogan',
    ...size,
    ganSteps,
    criticIterations: 1,
    gradientPenaltyWeight: 10,
    featureWeight: 1,
    encoderOptimizer: { learningRate: 5e-5, alpha: 0.99, epsilon: 1e-8 },
    layerNormEpsilon: 1e-5,
    batchNormMomentum: 0.1,
    batchNormEpsilon: 1e-5,
  };
}

function settingsOf(config: TrainingConfig): FanoganSettings {
  if (config.baseline?.kind !== 'fanogan') throw new Error(`${config.method}: the config has no f-AnoGAN settings`);
  return config.baseline;
}

/**
 * Schlegl et al.'s f-AnoGAN as UPD's PyTorch port (iolag/UPD_study), started at side / 32 (96: 3 x 3) instead of 4 x 4.
 * Differences: the izi_f image term is the run's l1 / FQ loss (the framework's, as for every method) instead of MSE;
 * the penalty's critic pools by reshape and mean (the same values; see averagePool2). A run's steps are WGAN-GP steps up
 * to `ganSteps`, encoder steps after; the checkpoint records the split, so a resumed run continues in the right stage.
 */
export const fanoganMethod: MethodDescription = {
  name: 'fanogan',
  label: 'f-AnoGAN',
  source: 'surrogate: UPD_study\'s PyTorch f-AnoGAN (iolag/UPD_study, BASELINES.md 7), generator from 3 x 3; WGAN-GP then izi_f encoder',
  trains: true,
  presets: PRESETS,
  defaultScore: 'l1',
  trainingConfig: (preset, overrides = {}, options = {}) => {
    const batchSize = overrides.batchSize ?? 64;
    // BatchNorm in G and E normalises over the whole batch, so only the critic's update (per slice) runs in micro-batches.
    return defaultTrainingConfig(preset, {
      method: 'fanogan',
      unet: null,
      baseline: fanoganSettings(preset, options.ganSteps),
      patching: 'whole',
      loss: 'l1',
      adam: { ...FANOGAN_ADAM },
      batchSize,
      microBatchSize: Math.min(batchSize, CRITIC_CHUNK[(PRESETS as readonly PresetName[]).includes(preset) ? (preset as FanoganPreset) : 'paper']),
      ...overrides,
    });
  },
  paramSpecs: (config) => fanoganParamSpecs(settingsOf(config), config.dims[0]),
  networks: (config) => FANOGAN_NETWORKS.map((name) => ({ name, parameters: trainableCount(fanoganNetworkSpecs(settingsOf(config), config.dims[0], name)) })),
  sliceDivisor: () => 2 ** FANOGAN_LEVELS,
  build: (config, weights) => new FanoganNetwork(settingsOf(config), config.dims[0], config.adam, config.microBatchSize, weights),
  trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => fanoganTrainingNoise(settingsOf(config), rng, t.length),
};
