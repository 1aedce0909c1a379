// Thresh behind the method registry: the (AIR-transformed) intensity itself as the anomaly map, optionally histogram-equalised; no training (BASELINES.md 2).
import type * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../microBatch.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import type { ParamSpec } from '../../unetPlan.ts';
import type { MethodDescription, MethodNetwork, MethodReconstructOptions } from '../types.ts';
import { equalizeHistogram } from './equalize.ts';

/** Thresh's one option, saved in its checkpoint (TrainingConfig.baseline). */
export interface ThreshSettings {
  kind: 'thresh';
  /** Histogram-equalise the brain (Meissen et al.'s variant); whether the benchmark did is unknown, so both are offered. */
  equalize: boolean;
}

/**
 * No weights. Its "reconstruction" is x - map, so that the pipeline's l1 score |x - x_hat| is the map itself (the
 * intensity, or its equalised version, up to float rounding), through the same post-processing, threshold and metrics.
 */
class ThreshNetwork implements MethodNetwork {
  readonly specs: readonly ParamSpec[] = [];
  readonly trainableSpecs: readonly ParamSpec[] = [];
  readonly parameterCount = 0;

  constructor(private readonly settings: ThreshSettings) {}

  trainableVariables(): tf.Variable[] {
    return [];
  }

  async readWeights(): Promise<Map<string, Float32Array>> {
    return new Map();
  }

  assignWeights(): void {}

  batchLoss(_batch: Batch): tf.Scalar {
    throw new Error('thresh has nothing to train');
  }

  async reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    const out = new Float32Array(volume.length);
    if (this.settings.equalize) {
      const map = equalizeHistogram(volume);
      for (let i = 0; i < volume.length; i++) out[i] = volume[i] - map[i];
    }
    options.onProgress?.(options.dims[2], options.dims[2]);
    return out;
  }

  dispose(): void {}
}

function settingsOf(config: TrainingConfig): ThreshSettings {
  if (config.baseline?.kind !== 'thresh') throw new Error(`${config.method}: the config has no thresh settings`);
  return config.baseline;
}

export const threshMethod: MethodDescription = {
  name: 'thresh',
  label: 'Thresh',
  source: 'Meissen et al. 2021, FeliMe/brain_sas_baseline (BASELINES.md 2); the benchmark\'s own variant is unknown',
  trains: false,
  presets: ['paper'],
  defaultScore: 'l1',
  onlyScore: 'l1',
  trainingConfig: (preset, overrides = {}, options = {}) =>
    defaultTrainingConfig(preset, { method: 'thresh', unet: null, baseline: { kind: 'thresh', equalize: options.equalize === true }, patching: 'whole', loss: 'l1', ...overrides }),
  paramSpecs: () => [],
  networks: () => [],
  sliceDivisor: () => 1,
  build: (config) => new ThreshNetwork(settingsOf(config)),
  trainingNoise: () => new Float32Array(0),
};
