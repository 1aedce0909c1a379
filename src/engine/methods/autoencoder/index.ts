// AE, spatial AE and VAE behind the method registry: Baur et al.'s unified autoencoders (BASELINES.md 3-4, surrogates), with presets.
import type { Rng } from '../../rng.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import type { MethodDescription, PresetName } from '../types.ts';
import { elementCount } from '../weightStore.ts';
import { BaurNetwork, baurParamSpecs, baurTrainingNoise, type BaurSettings, type BaurVariant } from './network.ts';

type BaurPreset = 'paper' | 'small' | 'tiny';

/**
 * Sizes per preset (filters per level, bottleneck channels, z). paper = B at 96 x 96: AE 1,520,529, spatial AE 924,033,
 * VAE 1,815,569 trainable parameters (PyTorch's count); small and tiny halve and quarter the widths again for a CPU or
 * a browser.
 */
const SIZES: Readonly<Record<BaurPreset, Pick<BaurSettings, 'filters' | 'bottleneckChannels' | 'zDim'>>> = {
  paper: { filters: [32, 64, 128], bottleneckChannels: 16, zDim: 128 },
  small: { filters: [16, 32, 64], bottleneckChannels: 8, zDim: 64 },
  tiny: { filters: [4, 8, 16], bottleneckChannels: 4, zDim: 16 },
};

const PRESETS: readonly BaurPreset[] = ['paper', 'small', 'tiny'];

/** Dropout on z: B's AE 0.2, its VAE 0.1; the spatial AE has no z to drop. */
const DROPOUT: Readonly<Record<BaurVariant, number>> = { dense: 0.2, spatial: 0, variational: 0.1 };

export function baurSettings(variant: BaurVariant, preset: PresetName): BaurSettings {
  const size = SIZES[(PRESETS as readonly PresetName[]).includes(preset) ? (preset as BaurPreset) : 'paper'];
  return {
    kind: 'baur',
    variant,
    filters: [...size.filters],
    kernel: 5,
    bottleneckChannels: size.bottleneckChannels,
    zDim: size.zDim,
    dropout: DROPOUT[variant],
    leakySlope: 0.3,
    klWeight: 1,
    batchNormMomentum: 0.99,
    batchNormEpsilon: 1e-3,
  };
}

function settingsOf(config: TrainingConfig): BaurSettings {
  if (config.baseline?.kind !== 'baur') throw new Error(`${config.method}: the config has no autoencoder settings`);
  return config.baseline;
}

function baurMethod(name: 'ae' | 'sae' | 'vae', variant: BaurVariant, label: string, source: string): MethodDescription {
  const specs = (config: TrainingConfig) => baurParamSpecs(settingsOf(config), config.dims[0]);
  return {
    name,
    label,
    source,
    trains: true,
    presets: PRESETS,
    defaultScore: 'l1',
    trainingConfig: (preset, overrides = {}) => {
      const batchSize = overrides.batchSize ?? 32;
      // BatchNorm uses the statistics of what one forward pass sees, so by default that is the whole batch.
      return defaultTrainingConfig(preset, { method: name, unet: null, baseline: baurSettings(variant, preset), patching: 'whole', loss: 'l1', batchSize, microBatchSize: batchSize, ...overrides });
    },
    paramSpecs: specs,
    networks: (config) => [{ name, parameters: specs(config).filter((s) => s.trainable !== false).reduce((n, s) => n + elementCount(s.shape), 0) }],
    sliceDivisor: (config) => 2 ** settingsOf(config).filters.length,
    build: (config, weights) => new BaurNetwork(settingsOf(config), config.dims[0], weights),
    trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => baurTrainingNoise(settingsOf(config), rng, t.length),
  };
}

const BAUR_SOURCE = 'surrogate: Baur et al. comparative study, StefanDenn3r/Unsupervised_Anomaly_Detection_Brain_MRI (BASELINES.md';

export const aeMethod = baurMethod('ae', 'dense', 'AE', `${BAUR_SOURCE} 3)`);
export const saeMethod = baurMethod('sae', 'spatial', 'spatial AE', `${BAUR_SOURCE} 3, spatial variant)`);
/** Baur's dense VAE (option A of BASELINES.md 4); the UPD VAE (option B) is not offered. Inference decodes z = mu. */
export const vaeMethod = baurMethod('vae', 'variational', 'VAE', `${BAUR_SOURCE} 4, option A; inference decodes z = mu)`);
