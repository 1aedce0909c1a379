// DAE behind the method registry: Kascenas et al.'s denoising U-Net (BASELINES.md 6) with presets.
import type { Rng } from '../../rng.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import type { MethodDescription, PresetName } from '../types.ts';
import { elementCount } from '../weightStore.ts';
import { coarseNoise, DaeNetwork, daeParamSpecs, type DaeSettings } from './network.ts';

type DaePreset = 'paper' | 'small' | 'tiny';

/** Widths per preset: paper = K's depth 4, wf 6 (7,701,825 parameters); small and tiny quarter and sixteenth the widths. */
const WIDTHS: Readonly<Record<DaePreset, readonly number[]>> = {
  paper: [64, 128, 256, 512],
  small: [16, 32, 64, 128],
  tiny: [4, 8, 16, 32],
};

const PRESETS: readonly DaePreset[] = ['paper', 'small', 'tiny'];

/** Slices per forward/backward pass by preset (GroupNorm is per slice, so micro-batches do not change the step). */
const MICRO_BATCH: Readonly<Record<DaePreset, number>> = { paper: 4, small: 16, tiny: 32 };

function presetOf(preset: PresetName): DaePreset {
  return (PRESETS as readonly PresetName[]).includes(preset) ? (preset as DaePreset) : 'paper';
}

export function daeSettings(preset: PresetName): DaeSettings {
  return { kind: 'dae', widths: [...WIDTHS[presetOf(preset)]], noiseStd: 0.2, noiseResolution: 16, foregroundThreshold: 0.01 };
}

function settingsOf(config: TrainingConfig): DaeSettings {
  if (config.baseline?.kind !== 'dae') throw new Error(`${config.method}: the config has no DAE settings`);
  return config.baseline;
}

/**
 * Kascenas et al. (MIDL 2022), official code AntanasKascenas/DenoisingAE. Differences here: Adam without amsgrad,
 * weight decay or the cosine schedule (the benchmark's Adam 1e-4), and the l1 / FQ loss over all pixels (the framework's
 * default) instead of K's foreground-masked MSE.
 */
export const daeMethod: MethodDescription = {
  name: 'dae',
  label: 'DAE',
  source: 'exact architecture: AntanasKascenas/DenoisingAE (BASELINES.md 6); l1 / FQ loss, plain Adam',
  trains: true,
  presets: PRESETS,
  defaultScore: 'l1',
  trainingConfig: (preset, overrides = {}) =>
    defaultTrainingConfig(preset, { method: 'dae', unet: null, baseline: daeSettings(preset), patching: 'whole', loss: 'l1', microBatchSize: MICRO_BATCH[presetOf(preset)], ...overrides }),
  paramSpecs: (config) => daeParamSpecs(settingsOf(config)),
  networks: (config) => [{ name: 'dae', parameters: daeParamSpecs(settingsOf(config)).reduce((n, s) => n + elementCount(s.shape), 0) }],
  sliceDivisor: (config) => 2 ** (settingsOf(config).widths.length - 1),
  build: (config, weights) => new DaeNetwork(settingsOf(config), weights),
  trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => coarseNoise(settingsOf(config), rng, t.length, config.dims[1], config.dims[0]),
};
