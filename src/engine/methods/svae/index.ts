// SVAE behind the method registry: the surrogate of BASELINES.md 5 (no public code), a slice VAE linked across the volume by a transformer, with presets.
import type { Rng } from '../../rng.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import { baurSettings } from '../autoencoder/index.ts';
import { baurTrainingNoise } from '../autoencoder/network.ts';
import type { MethodDescription, PresetName } from '../types.ts';
import { trainableCount } from '../weightStore.ts';
import { svaeParamSpecs, SvaeNetwork, type SvaeSettings } from './network.ts';

type SvaePreset = 'paper' | 'small' | 'tiny';

const PRESETS: readonly SvaePreset[] = ['paper', 'small', 'tiny'];

/**
 * Transformer sizes per preset on top of the VAE's same-named preset. paper: BASELINES' example (2 layers, 4 heads,
 * d = zDim 128) with a feed-forward width of 4d, so the whole stays near the 2D VAE's size as the SVAE paper says:
 * 1,815,569 + 6,400 (positions, 50 slices) + 2 x 198,272 = 2,218,513 trainable parameters at 96 x 96 x 50.
 */
const TRANSFORMER: Readonly<Record<SvaePreset, Pick<SvaeSettings, 'layers' | 'heads' | 'feedForward'>>> = {
  paper: { layers: 2, heads: 4, feedForward: 512 },
  small: { layers: 2, heads: 4, feedForward: 256 },
  tiny: { layers: 1, heads: 2, feedForward: 32 },
};

/** Volumes per batch by default: a step sees batch x 50 slices, so fewer volumes than the slice methods' 32 slices. */
const DEFAULT_BATCH_VOLUMES = 4;

/**
 * Volumes per forward/backward pass by default, sized for the WASM heap: small's 4 volumes (200 slices) in one pass
 * run past it, so from small up each pass is one volume and BatchNorm sees that volume's 50 slices; tiny fits the batch.
 */
const MICRO_BATCH_VOLUMES: Readonly<Record<SvaePreset, number | 'batch'>> = { paper: 1, small: 1, tiny: 'batch' };

function knownPreset(preset: PresetName): SvaePreset {
  return (PRESETS as readonly PresetName[]).includes(preset) ? (preset as SvaePreset) : 'paper';
}

export function svaeSettings(preset: PresetName): SvaeSettings {
  const known = knownPreset(preset);
  return { kind: 'svae', slice: baurSettings('variational', known), ...TRANSFORMER[known], layerNormEpsilon: 1e-5 };
}

function settingsOf(config: TrainingConfig): SvaeSettings {
  if (config.baseline?.kind !== 'svae') throw new Error(`${config.method}: the config has no SVAE settings`);
  return config.baseline;
}

const specs = (config: TrainingConfig) => svaeParamSpecs(settingsOf(config), config.dims[0], config.dims[2]);

export const svaeMethod: MethodDescription = {
  name: 'svae',
  label: 'SVAE',
  source:
    'surrogate: no public code (BASELINES.md 5; Behrendt et al. MIDL 2022 short paper): Baur\'s dense VAE per slice (BASELINES.md 4, option A) ' +
    'with a transformer encoder over the volume\'s slices; batches are whole volumes; every choice unverified; inference decodes z = mu',
  trains: true,
  presets: PRESETS,
  defaultScore: 'l1',
  trainingConfig: (preset, overrides = {}) => {
    const batchSize = overrides.batchSize ?? DEFAULT_BATCH_VOLUMES;
    const perPass = MICRO_BATCH_VOLUMES[knownPreset(preset)];
    const microBatchSize = perPass === 'batch' ? batchSize : Math.min(perPass, batchSize);
    return defaultTrainingConfig(preset, { method: 'svae', unet: null, baseline: svaeSettings(preset), patching: 'whole', loss: 'l1', batchSize, microBatchSize, ...overrides });
  },
  paramSpecs: specs,
  networks: (config) => [{ name: 'svae', parameters: trainableCount(specs(config)) }],
  sliceDivisor: (config) => 2 ** settingsOf(config).slice.filters.length,
  sequenceLength: (config) => config.dims[2],
  build: (config, weights) => new SvaeNetwork(settingsOf(config), config.dims[0], config.dims[2], weights),
  trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => baurTrainingNoise(settingsOf(config).slice, rng, t.length),
};
