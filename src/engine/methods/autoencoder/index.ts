// AE, spatial AE and VAE behind the method registry: Baur et al.'s unified autoencoders (BASELINES.md 3-4, surrogates), the UPD VAE as the vae option, with presets.
import type { Rng } from '../../rng.ts';
import { ADAM_DEFAULTS } from '../../adam.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import type { MethodDescription, PresetName } from '../types.ts';
import { trainableCount } from '../weightStore.ts';
import { BaurNetwork, baurParamSpecs, baurTrainingNoise, type BaurSettings, type BaurVariant } from './network.ts';
import { UpdVaeNetwork, updVaeParamSpecs, updVaeTrainingNoise, type UpdVaeSettings } from './updVae.ts';

/** The vae method's architectures (BASELINES.md 4): Baur's dense VAE (option A, the default) or the UPD VAE (option B). */
export type VaeVariant = 'baur' | 'upd';
export const VAE_VARIANTS: readonly VaeVariant[] = ['baur', 'upd'];

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

/**
 * UPD VAE sizes per preset (filters per level, 1x1 bottleneck channels, z). paper = UPD's T2 defaults with five levels at
 * 96 x 96 (96 -> 3 and back), 1,018,273 trainable parameters; small and tiny halve and quarter the widths.
 */
const UPD_SIZES: Readonly<Record<BaurPreset, Pick<UpdVaeSettings, 'filters' | 'bottleneckChannels' | 'zDim'>>> = {
  paper: { filters: [16, 32, 64, 128, 256], bottleneckChannels: 16, zDim: 512 },
  small: { filters: [8, 16, 32, 64, 128], bottleneckChannels: 8, zDim: 256 },
  tiny: { filters: [4, 8, 16, 32, 64], bottleneckChannels: 4, zDim: 64 },
};

export function updVaeSettings(preset: PresetName): UpdVaeSettings {
  const size = UPD_SIZES[(PRESETS as readonly PresetName[]).includes(preset) ? (preset as BaurPreset) : 'paper'];
  return {
    kind: 'upd-vae',
    filters: [...size.filters],
    kernel: 3,
    bottleneckChannels: size.bottleneckChannels,
    zDim: size.zDim,
    leakySlope: 0.01,
    klWeight: 0.001,
    batchNormMomentum: 0.9,
    batchNormEpsilon: 1e-5,
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
    networks: (config) => [{ name, parameters: trainableCount(specs(config)) }],
    sliceDivisor: (config) => 2 ** settingsOf(config).filters.length,
    build: (config, weights) => new BaurNetwork(settingsOf(config), config.dims[0], weights),
    trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => baurTrainingNoise(settingsOf(config), rng, t.length),
  };
}

const BAUR_SOURCE = 'surrogate: Baur et al. comparative study, StefanDenn3r/Unsupervised_Anomaly_Detection_Brain_MRI (BASELINES.md';

export const aeMethod = baurMethod('ae', 'dense', 'AE', `${BAUR_SOURCE} 3)`);
export const saeMethod = baurMethod('sae', 'spatial', 'spatial AE', `${BAUR_SOURCE} 3, spatial variant)`);
const baurVae = baurMethod('vae', 'variational', 'VAE', `${BAUR_SOURCE} 4, option A; inference decodes z = mu)`);

/** The UPD VAE's settings when a vae config holds them (the 'upd' variant), else null (Baur's). */
function updOf(config: TrainingConfig): UpdVaeSettings | null {
  return config.baseline?.kind === 'upd-vae' ? config.baseline : null;
}

/**
 * The VAE: Baur's dense VAE (option A of BASELINES.md 4), or with the option vaeVariant 'upd' the UPD VAE (option B:
 * its architecture, KL weight 0.001, Adam betas (0, 0.9), batch 64; the reconstruction term is fqlab's l1 or FQ rather
 * than UPD's squared error). Both decode z = mu at inference. The config's settings record which.
 */
export const vaeMethod: MethodDescription = {
  ...baurVae,
  source: `${BAUR_SOURCE} 4, option A), or option B: UPD VAE, iolag/UPD_study (--vae-variant upd); inference decodes z = mu`,
  trainingConfig: (preset, overrides = {}, options = {}) => {
    if (options.vaeVariant !== 'upd') return baurVae.trainingConfig(preset, overrides);
    const batchSize = overrides.batchSize ?? 64;
    return baurVae.trainingConfig(preset, { baseline: updVaeSettings(preset), adam: { ...ADAM_DEFAULTS, beta1: 0, beta2: 0.9 }, batchSize, microBatchSize: batchSize, ...overrides });
  },
  paramSpecs: (config) => {
    const upd = updOf(config);
    return upd === null ? baurVae.paramSpecs(config) : updVaeParamSpecs(upd, config.dims[0]);
  },
  networks: (config) => {
    const upd = updOf(config);
    return upd === null ? baurVae.networks(config) : [{ name: 'vae', parameters: trainableCount(updVaeParamSpecs(upd, config.dims[0])) }];
  },
  sliceDivisor: (config) => {
    const upd = updOf(config);
    return upd === null ? baurVae.sliceDivisor(config) : 2 ** upd.filters.length;
  },
  build: (config, weights) => {
    const upd = updOf(config);
    return upd === null ? baurVae.build(config, weights) : new UpdVaeNetwork(upd, config.dims[0], weights);
  },
  trainingNoise: (config, rng, t) => {
    const upd = updOf(config);
    return upd === null ? baurVae.trainingNoise(config, rng, t) : updVaeTrainingNoise(upd, rng, t.length);
  },
};
