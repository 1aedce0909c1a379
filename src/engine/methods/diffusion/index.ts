// pDDPM and DDPM behind the method registry: the guided-diffusion U-Net, its patched (or whole-slice) loss and reconstruction (SPEC 3).
import * as tf from '@tensorflow/tfjs';
import { batchLoss, type Batch, type LossSetup } from '../../microBatch.ts';
import { noiseBatch } from '../../noise.ts';
import { reconstructVolume } from '../../reconstruct.ts';
import type { Rng } from '../../rng.ts';
import { defaultTrainingConfig, type TrainingConfig } from '../../trainingConfig.ts';
import { UNet } from '../../unet.ts';
import { unetPreset } from '../../unetConfig.ts';
import { unetParamSpecs, unetPlan, type ParamSpec } from '../../unetPlan.ts';
import type { MethodDescription, MethodNetwork, MethodReconstructOptions, PresetName } from '../types.ts';

/** The U-Net a diffusion config holds (refuses a config of another method). */
function unetOf(config: TrainingConfig): NonNullable<TrainingConfig['unet']> {
  if (config.unet === null) throw new Error(`${config.method}: the config has no U-Net`);
  return config.unet;
}

/** A UNet as a MethodNetwork: the existing pDDPM loss (microBatch.ts) and reconstructVolume, unchanged. */
class DiffusionNetwork implements MethodNetwork {
  constructor(readonly unet: UNet, private readonly config: TrainingConfig) {}

  get specs(): readonly ParamSpec[] {
    return this.unet.specs;
  }

  get trainableSpecs(): readonly ParamSpec[] {
    return this.unet.specs;
  }

  get parameterCount(): number {
    return this.unet.parameterCount;
  }

  trainableVariables(): tf.Variable[] {
    return this.unet.trainableVariables();
  }

  readWeights(): Promise<Map<string, Float32Array>> {
    return this.unet.readWeights();
  }

  assignWeights(weights: ReadonlyMap<string, Float32Array>): void {
    this.unet.assignWeights(weights);
  }

  batchLoss(batch: Batch, setup: LossSetup): tf.Scalar {
    return batchLoss(this.unet, batch, setup);
  }

  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array> {
    const c = this.config;
    return reconstructVolume(this.unet, volume, {
      noiseLevel: options.noiseLevel,
      noiseType: c.noise,
      seed: options.seed,
      patching: c.patching,
      dims: options.dims,
      simplex: c.simplex,
      diffusionSteps: c.diffusionSteps,
      cosineOffset: c.cosineOffset,
      onProgress: options.onProgress,
      sharedForwards: options.sharedForwards,
    });
  }

  dispose(): void {
    this.unet.dispose();
  }
}

const DIFFUSION_PRESETS: readonly PresetName[] = ['paper', 'base', 'small', 'tiny'];

/** A diffusion method on the guided-diffusion U-Net (pDDPM, DDPM, and mDDPM, which adds its training masking). */
export function diffusionMethod(name: 'pddpm' | 'ddpm' | 'mddpm', label: string, source: string, patching: TrainingConfig['patching'], scaleShift: boolean): MethodDescription {
  return {
    name,
    label,
    source,
    trains: true,
    presets: DIFFUSION_PRESETS,
    defaultScore: 'l1',
    trainingConfig: (preset: PresetName, overrides: Partial<TrainingConfig> = {}) =>
      defaultTrainingConfig(preset, { method: name, patching, ...(scaleShift ? {} : { unet: { ...unetPreset(preset), scaleShift: false } }), ...overrides }),
    paramSpecs: (config) => unetParamSpecs(unetPlan(unetOf(config))),
    networks: (config) => [{ name: 'unet', parameters: unetParamSpecs(unetPlan(unetOf(config))).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0) }],
    sliceDivisor: (config) => Math.max(2 ** (unetOf(config).channelMult.length - 1), config.patching === 'patched' ? 2 : 1),
    build: (config, weights) => new DiffusionNetwork(UNet.fromWeights(unetOf(config), weights), config),
    trainingNoise: (config: TrainingConfig, rng: Rng, t: Int32Array) => noiseBatch(config.noise, rng, t, config.dims[1], config.dims[0], config.simplex),
  };
}

/** pDDPM (Behrendt et al., MIDL 2023) and, with FQ loss, score and AIR, pDDPM-IQA: 2 x 2 boxes. `patching: 'whole'` is the old DDPM mode. */
export const pddpmMethod = diffusionMethod('pddpm', 'pDDPM', 'exact: FinnBehrendt/patched-Diffusion-Models-UAD (BASELINES.md 9, 11)', 'patched', true);

/**
 * DDPM (AnoDDPM-style, BASELINES.md 8): the whole slice as the box, on its own U-Net: the timestep embedding added
 * after each ResBlock's first convolution instead of scale-shift conditioning (34,493,313 parameters at paper size).
 */
export const ddpmMethod = diffusionMethod('ddpm', 'DDPM', 'exact: FinnBehrendt/patched-Diffusion-Models-UAD (BASELINES.md 8)', 'whole', false);
