// What a method of the comparison is to the engine: its network(s) as named tfjs variables, its training loss and its reconstruction.
import type * as tf from '@tensorflow/tfjs';
import type { Dims3 } from '../../core/volume.ts';
import type { Batch, LossSetup } from '../microBatch.ts';
import type { SharedForwards } from '../parallelForward.ts';
import type { Rng } from '../rng.ts';
import type { TrainingConfig } from '../trainingConfig.ts';
import type { UNetPresetName } from '../unetConfig.ts';
import type { ParamSpec } from '../unetPlan.ts';
import type { VaeVariant } from './autoencoder/index.ts';
import type { BaurSettings } from './autoencoder/network.ts';
import type { UpdVaeSettings } from './autoencoder/updVae.ts';
import type { DaeSettings } from './dae/network.ts';
import type { FanoganSettings } from './fanogan/network.ts';
import type { SvaeSettings } from './svae/network.ts';
import type { ThreshSettings } from './thresh/index.ts';

/** Method names as the CLI and checkpoints spell them (issue 13). */
export type MethodName = 'pddpm' | 'ddpm' | 'mddpm' | 'thresh' | 'ae' | 'sae' | 'vae' | 'svae' | 'dae' | 'fanogan';

/** A non-diffusion method's own settings, by kind (each declared in its method's folder). */
export type BaselineSettings = ThreshSettings | BaurSettings | UpdVaeSettings | SvaeSettings | DaeSettings | FanoganSettings;

/**
 * The choices a method offers beyond preset and training settings (CLI flags, TrainConfig), in one place; each method
 * reads its own and the registry's trainingConfig records the outcome in the config's settings (and so the checkpoint).
 */
export interface MethodOptions {
  /** vae: Baur's dense VAE (default) or the UPD VAE (BASELINES.md 4, options A and B). */
  vaeVariant?: VaeVariant;
  /** fanogan: WGAN-GP steps before the encoder's (default 30,000 of the reference's 40,000). */
  ganSteps?: number;
  /** thresh: histogram-equalise the brain before its intensity becomes the map. */
  equalize?: boolean;
}

/** The map a method is scored with by default (SPEC 4; the pipeline's ScoreKind). */
export type DefaultScore = 'l1' | 'fq' | 'ssim';

/** Preset names every method draws from; 'paper' is always the reference size. */
export type PresetName = UNetPresetName;

/** How one inference call reconstructs a conformed volume; diffusion settings are ignored by deterministic methods. */
export interface MethodReconstructOptions {
  dims: Dims3;
  /** 1 .. T: the diffusion noise level (diffusion methods only). */
  noiseLevel: number;
  seed: number;
  onProgress?: (slicesDone: number, slices: number) => void;
  /** Helper engines for the U-Net's forwards (diffusion methods; the others run on this engine alone). */
  sharedForwards?: SharedForwards;
}

/** A trainable network of a method: weights held as named tfjs variables, a loss for a batch and a reconstruction. */
export interface MethodNetwork {
  /** Every stored weight, trainable ones first in optimiser order, then non-trainable state (BatchNorm running statistics). */
  readonly specs: readonly ParamSpec[];
  /** The trainable weights' specs (what the optimiser and its checkpointed moments follow). */
  readonly trainableSpecs: readonly ParamSpec[];
  /** Trainable parameters only (PyTorch's convention: BatchNorm running statistics excluded). */
  readonly parameterCount: number;
  trainableVariables(): tf.Variable[];
  readWeights(): Promise<Map<string, Float32Array>>;
  assignWeights(weights: ReadonlyMap<string, Float32Array>): void;
  /** The batch's mean training loss (training: dropout and batch statistics on; else the evaluation forward). */
  batchLoss(batch: Batch, setup: LossSetup, training: boolean): tf.Scalar;
  /** State that is not learnt by gradient (BatchNorm running statistics), updated from a step's whole batch before its update. */
  updateStatistics?(batch: Batch, setup: LossSetup): void;
  /** Set when the network runs its own optimiser steps instead of the trainer's Adam on batchLoss (f-AnoGAN). */
  readonly ownTraining?: OwnTraining;
  /** The reconstruction of a conformed volume (x, y, axial; [0, 1], AIR already applied) on [0, 1]. */
  reconstruct(volume: Float32Array, options: MethodReconstructOptions): Promise<Float32Array>;
  dispose(): void;
}

/**
 * The training of a network whose step is not one gradient of one loss (f-AnoGAN: critic and generator updates, then
 * its encoder's, each with its own optimiser). The trainer hands it every step's whole batch (no micro-batches, no
 * gradient helpers) and checkpoints the optimiser state it reports; the network's dispose() frees that state.
 */
export interface OwnTraining {
  /** One optimiser step on a batch, after `stepsDone` steps; resolves to the loss to report. */
  step(batch: Batch, setup: LossSetup, stepsDone: number): Promise<number>;
  /** The stage the step numbered `step` (from 1) belongs to, for progress reports. */
  stageOf(step: number): string;
  /** Whether the validation loss (batchLoss) measures the model after `step` steps (f-AnoGAN: only in the encoder stage). */
  validatesAt(step: number): boolean;
  /** The optimiser state of every trainable weight, saved as the checkpoint's "adam.m/" and "adam.v/" tensors. */
  optimizerState(): Promise<{ first: Map<string, Float32Array>; second: Map<string, Float32Array> }>;
  /** Restores the state optimizerState saved, after `stepsDone` steps. */
  restoreOptimizer(stepsDone: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void;
}

/** One network of a method and its size, for `fqlab info` and the Model panel. */
export interface NetworkSummary {
  name: string;
  parameters: number;
}

/**
 * One method of the comparison: everything the engine, the CLI and the worker need, so adding a method is adding
 * one folder under src/engine/methods/ and one line in registry.ts.
 */
export interface MethodDescription {
  name: MethodName;
  label: string;
  /** Where the method comes from (BASELINES.md), and "surrogate" when the benchmark's own code was never published. */
  source: string;
  /** Whether it has weights to train (thresh does not). */
  trains: boolean;
  /** The presets it offers, 'paper' (the reference size) first. */
  presets: readonly PresetName[];
  defaultScore: DefaultScore;
  /** The one score that makes sense when others do not (thresh: its map is the intensity, so l1). */
  onlyScore?: DefaultScore;
  /** The method's full training config on a preset (paper defaults, or the options' variant), with overrides. */
  trainingConfig(preset: PresetName, overrides?: Partial<TrainingConfig>, options?: MethodOptions): TrainingConfig;
  /**
   * Slices per training sample when a sample is a whole volume in axial order (SVAE: the volume's depth); absent, a
   * sample is one slice. batchSize and microBatchSize then count volumes.
   */
  sequenceLength?(config: TrainingConfig): number;
  /** The weights a config's network(s) hold (names, shapes, initialisation). */
  paramSpecs(config: TrainingConfig): ParamSpec[];
  networks(config: TrainingConfig): NetworkSummary[];
  /** The side the slice must be a multiple of (down-sampling levels, pDDPM boxes). */
  sliceDivisor(config: TrainingConfig): number;
  /** A network from weights (one array per spec name). */
  build(config: TrainingConfig, weights: ReadonlyMap<string, Float32Array>): MethodNetwork;
  /** mDDPM: the clean input of one training slice when it is not the slice itself (its masking), from the run's stream. */
  trainingInput?(config: TrainingConfig, rng: Rng, slice: Float32Array, brainMask: Float32Array): Float32Array;
  /** Per-batch training randomness beyond slice choice (diffusion noise, dropout masks, VAE draws), from the run's stream. */
  trainingNoise(config: TrainingConfig, rng: Rng, t: Int32Array): Float32Array;
}
