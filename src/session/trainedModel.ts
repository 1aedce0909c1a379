// A trained (or loaded) model ready for inference: its network, training config, checkpoint bytes and the facts the UI shows.
import { contentHash } from '../core/contentHash.ts';
import type { AirMode } from '../core/air.ts';
import type { CurvatureFlowOptions } from '../core/conform/index.ts';
import type { Volume } from '../core/volume.ts';
import type { ReconstructionModel } from '../analysis/pipeline.ts';
import {
  checkCheckpointTensors,
  checkpointWeights,
  deserializeCheckpoint,
  methodOptionsOf,
  networkFromWeights,
  type LossKind,
  type MethodName,
  type MethodNetwork,
  type MethodOptions,
  type NoiseType,
  type TrainingConfig,
  type UNetPresetName,
  type ForwardHelpers,
  type SharedForwards,
} from '../engine/index.ts';

export interface ModelInfo {
  /** The weights' identity (a hash of the checkpoint): every reconstruct, score, sweep and layer request names it. */
  modelId: string;
  method: MethodName;
  /** 'custom' for a checkpoint whose U-Net settings were edited away from every preset. */
  preset: UNetPresetName | 'custom';
  parameters: number;
  loss: LossKind;
  alpha: number;
  airApplied: boolean;
  /** How AIR was decided when the model was trained ('stats' for checkpoints that recorded 'auto'). */
  airMode: AirMode;
  /** The read-time smoothing of its training images, or null when none (and for checkpoints from before it was recorded). */
  smoothing: CurvatureFlowOptions | null;
  noise: NoiseType;
  patched: boolean;
  step: number;
  bestValLoss: number | null;
  /** The options its settings record (vae variant, thresh equalisation, f-AnoGAN's split). */
  methodOptions: MethodOptions;
}

/** The method's reconstruction (the engine dispatches by method; diffusion settings come from the training config). */
export function reconstructWith(
  network: MethodNetwork,
  input: Volume,
  noiseLevel: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
  sharedForwards?: SharedForwards,
): Promise<Float32Array> {
  return network.reconstruct(input.data, { noiseLevel, seed, dims: input.dims, onProgress, sharedForwards });
}

/** What messages call a model trained in this session (it has no file yet). */
export const TRAINED_MODEL_NAME = 'trained model';

/** A model ready for inference: weights, the config it was trained with, and its checkpoint bytes. */
export class TrainedModel implements ReconstructionModel {
  readonly id: string;
  readonly airApplied: boolean;
  readonly info: ModelInfo;

  private constructor(
    readonly config: TrainingConfig,
    private readonly network: MethodNetwork,
    private readonly checkpoint: Uint8Array,
    /** The checkpoint's file name (or what it came from), for messages about it. */
    readonly fileName: string,
    step: number,
    bestValLoss: number | null,
  ) {
    // Named by content: the same checkpoint (e.g. replayed into a restarted worker) keeps its id and its cache entries.
    this.id = `model-${contentHash(checkpoint)}`;
    this.airApplied = config.air.enabled;
    this.info = {
      modelId: this.id,
      method: config.method,
      preset: config.preset,
      parameters: network.parameterCount,
      loss: config.loss,
      alpha: config.alpha,
      airApplied: config.air.enabled,
      airMode: config.air.mode,
      smoothing: config.smoothing,
      noise: config.noise,
      patched: config.patching === 'patched',
      step,
      bestValLoss,
      methodOptions: methodOptionsOf(config),
    };
  }

  /** Reads a checkpoint (weights-only or with training state); throws an FqlabError naming the file and field when unusable. */
  static fromCheckpoint(bytes: Uint8Array, fileName: string): TrainedModel {
    const contents = deserializeCheckpoint(bytes, fileName);
    checkCheckpointTensors(contents, fileName);
    const network = networkFromWeights(contents.config, checkpointWeights(contents, 'model'));
    return new TrainedModel(contents.config, network, bytes, fileName, contents.training?.step ?? 0, contents.training?.bestValLoss ?? null);
  }

  /** x0_hat of a conformed (AIR-applied where on) volume, as in SPEC 3: one pass per box, seeded noise. */
  reconstruct(input: Volume, noiseLevel: number, seed: number, onProgress?: (done: number, total: number) => void): Promise<Float32Array> {
    return reconstructWith(this.network, input, noiseLevel, seed, onProgress);
  }

  /**
   * This model with each U-Net forward shared among `helpers` and this engine (the same maps to the bit); itself
   * without helpers. The helpers know the weights by the model's id, which names the checkpoint's content.
   */
  sharingForwards(helpers: ForwardHelpers | undefined): ReconstructionModel & { readonly config: TrainingConfig } {
    if (helpers === undefined) return this;
    const sharedForwards: SharedForwards = { helpers, version: this.id };
    return {
      id: this.id,
      airApplied: this.airApplied,
      config: this.config,
      reconstruct: (input, noiseLevel, seed, onProgress) => reconstructWith(this.network, input, noiseLevel, seed, onProgress, sharedForwards),
    };
  }

  /** The checkpoint bytes (a copy: callers may transfer it). */
  serialize(): Uint8Array {
    return this.checkpoint.slice();
  }

  dispose(): void {
    this.network.dispose();
  }
}
