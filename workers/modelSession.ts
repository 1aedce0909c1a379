// The worker's model side: backend start, training runs from the case store (pause/resume/cancel), trained models and checkpoints.
import { pooledAirStatistics, resolveAir, type AirStatistics } from '../src/core/air.ts';
import { contentHash } from '../src/core/contentHash.ts';
import { FqlabError } from '../src/core/errors.ts';
import type { CurvatureFlowOptions } from '../src/core/conform/index.ts';
import { PAPER_PROTOCOL } from '../src/core/protocol.ts';
import type { Volume } from '../src/core/volume.ts';
import type { ConformedCase } from '../src/analysis/caseStore.ts';
import { AnalysisPipeline, type ReconstructionModel } from '../src/analysis/pipeline.ts';
import * as tf from '@tensorflow/tfjs';
import {
  checkCheckpointTensors,
  checkpointWeights,
  DIFFUSION_STEPS,
  Rng,
  SLICE_SIZE,
  unetParamSpecs,
  unetPlan,
  unetPreset,
  defaultGanSteps,
  deserializeCheckpoint,
  initBackend,
  METHOD_NAMES,
  methodDescription,
  methodOptionsOf,
  networkFromWeights,
  serializeCheckpoint,
  Trainer,
  UNet,
  unetForwardFlops,
  VAE_VARIANTS,
  type MethodNetwork,
  type MethodOptions,
  type TrainingConfig,
  type TrainingVolume,
  type UNetConfig,
} from '../src/engine/index.ts';
import type { BackendCheckOptions, BackendCheckResult, BackendChoice, BackendPreference, MethodSummary, ModelInfo, TrainConfig, TrainProgress } from './api.ts';
import { workerError } from './workerError.ts';

/** Starts the tfjs backend through the engine (which explains its choice). */
export async function initEngineBackend(preference: BackendPreference, wasmPaths?: string | Record<string, string>): Promise<BackendChoice> {
  return initBackend(preference, wasmPaths === undefined ? {} : { wasmPaths });
}

/**
 * Seeded weights with every layer active (a fresh U-Net's output convolution is zero, which would make a backend
 * comparison trivial): uniform +-1/sqrt(fanIn) where PyTorch would use it, small values around 0 or 1 elsewhere.
 */
export function randomWeights(config: UNetConfig, rng: Rng): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const spec of unetParamSpecs(unetPlan(config))) {
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const bound = spec.init.kind === 'uniform' ? 1 / Math.sqrt(spec.init.fanIn) : 0.1;
    const centre = spec.init.kind === 'ones' ? 1 : 0;
    for (let i = 0; i < values.length; i++) values[i] = centre + (2 * rng.next() - 1) * bound;
    weights.set(spec.name, values);
  }
  return weights;
}

/**
 * Switches to a backend and runs the tiny preset (seeded weights) on a seeded input at a seeded timestep: the same
 * options must give the same numbers on every backend. With allowSoftwareAdapter, 'webgpu' is started on a software
 * adapter that the engine's initBackend declines (it prefers WASM there).
 */
export async function backendCheck(
  preference: BackendPreference,
  options: BackendCheckOptions,
  wasmPaths?: string | Record<string, string>,
): Promise<BackendCheckResult> {
  let backend = await initEngineBackend(preference, wasmPaths);
  if (preference === 'webgpu' && backend.name !== 'webgpu' && options.allowSoftwareAdapter) {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) {
      await tf.ready();
      backend = { ...backend, name: 'webgpu', reason: `WebGPU forced on a software adapter (${backend.reason})` };
    }
  }
  const slices = options.slices ?? 2;
  const seed = options.seed ?? 0;
  const started = performance.now();
  const rng = new Rng(`backend-check:${seed}`);
  const unet = UNet.fromWeights(unetPreset('tiny'), randomWeights(unetPreset('tiny'), rng));
  const input = new Float32Array(slices * SLICE_SIZE * SLICE_SIZE);
  for (let i = 0; i < input.length; i++) input[i] = 2 * rng.next() - 1;
  const t = new Array<number>(slices).fill(rng.int(DIFFUSION_STEPS));
  const x = tf.tensor4d(input, [slices, SLICE_SIZE, SLICE_SIZE, 1]);
  try {
    const prediction = unet.apply(x, t);
    const output = (await prediction.data()) as Float32Array;
    prediction.dispose();
    return { backend, output, elapsedMs: performance.now() - started };
  } finally {
    x.dispose();
    unet.dispose();
  }
}

/** Every registered method with each preset's parameter count and forward cost, as `fqlab info` reports them. */
export function methodSummaries(): MethodSummary[] {
  return METHOD_NAMES.map((name) => {
    const method = methodDescription(name);
    const presetsWith = (options: MethodOptions) =>
      method.presets.map((preset) => {
        const config = method.trainingConfig(preset, {}, options);
        const parameters = method.networks(config).reduce((sum, network) => sum + network.parameters, 0);
        return { preset, parameters, gflopPerSlice: config.unet !== null ? unetForwardFlops(config.unet) / 1e9 : null };
      });
    const variants = name === 'vae' ? { variants: VAE_VARIANTS.map((variant) => ({ variant, presets: presetsWith({ vaeVariant: variant }) })) } : {};
    const batchUnit = method.sequenceLength === undefined ? ('slices' as const) : ('volumes' as const);
    const defaultBatch = method.trainingConfig(method.presets[0]).batchSize;
    return { name, label: method.label, source: method.source, surrogate: method.source.startsWith('surrogate'), trains: method.trains, presets: presetsWith({}), ...variants, batchUnit, defaultBatch };
  });
}

/** Noise level used for validation Dice/AUPRC during training: the paper's 750 for FQ (pDDPM-IQA), 500 for l1 (pDDPM). */
export function validationNoiseLevel(config: Pick<TrainConfig, 'loss'>): number {
  return config.loss === 'fq' ? PAPER_PROTOCOL.noiseLevel.pddpmIqa : PAPER_PROTOCOL.noiseLevel.pddpm;
}

/** The method's reconstruction (the engine dispatches by method; diffusion settings come from the training config). */
function reconstructWith(
  network: MethodNetwork,
  input: Volume,
  noiseLevel: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array> {
  return network.reconstruct(input.data, { noiseLevel, seed, dims: input.dims, onProgress });
}

/** What messages call a model trained in this session (it has no file yet). */
const TRAINED_MODEL_NAME = 'trained model';

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

  /** The checkpoint bytes (a copy: callers may transfer it). */
  serialize(): Uint8Array {
    return this.checkpoint.slice();
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Pause, resume and cancel of a training run, delivered between optimiser steps. */
export class TrainingControl {
  paused = false;
  cancelled = false;
  private trainer: Trainer | null = null;
  private wake: (() => void) | null = null;

  attach(trainer: Trainer): void {
    this.trainer = trainer;
  }

  pause(): void {
    this.paused = true;
    this.trainer?.stop();
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  cancel(): void {
    this.cancelled = true;
    this.trainer?.stop();
    this.wake?.();
  }

  async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.cancelled) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }
}

/**
 * Healthy training volumes from cases: the image and a brain mask with every slice that holds a lesion cleared, so
 * (with brain-slice sampling) only lesion-free slices are drawn: the paper's in-dataset setting.
 */
export function healthyVolume(conformed: ConformedCase): TrainingVolume | null {
  const mask = conformed.brainMask.data;
  if (!conformed.labels || conformed.anomalousVoxels === 0) return { image: conformed.image.data, brainMask: mask };
  const [nx, ny, nz] = conformed.image.dims;
  const size = nx * ny;
  const cleared = Float32Array.from(mask);
  let brainLeft = false;
  for (let k = 0; k < nz; k++) {
    const slice = conformed.labels.subarray(k * size, (k + 1) * size);
    if (slice.some((v) => v !== 0)) cleared.fill(0, k * size, (k + 1) * size);
    else if (!brainLeft) brainLeft = cleared.subarray(k * size, (k + 1) * size).some((v) => v !== 0);
  }
  return brainLeft ? { image: conformed.image.data, brainMask: cleared } : null;
}

/**
 * AIR statistics of the training data: the cases' normal brain intensity weighted by their normal brain voxels (and the
 * anomalous one by their anomalous voxels, in the in-dataset setting), decided by the core's pooled rule.
 */
export function trainingAirStatistics(cases: readonly ConformedCase[]): AirStatistics {
  return pooledAirStatistics(
    cases.map((c) => ({
      muNormal: c.stats.air.muNormal,
      normalVoxels: c.stats.brainVoxels - c.anomalousVoxels,
      muAnomalous: c.stats.air.muAnomalous,
      anomalousVoxels: c.anomalousVoxels,
    })),
  );
}

/** The engine's training config for a workbench TrainConfig and the training cases (AIR decided here). */
export function engineTrainingConfig(config: TrainConfig, trainCases: readonly ConformedCase[]): TrainingConfig {
  const stats = trainingAirStatistics(trainCases);
  const modalities = [...new Set(trainCases.map((c) => c.modality))];
  const method = methodDescription(config.method ?? 'pddpm');
  if (!method.presets.includes(config.preset)) {
    throw new FqlabError('bad-argument', 'training settings', `${method.label} has no preset ${config.preset}; choose one of ${method.presets.join(', ')}.`);
  }
  // Noise belongs to the diffusion methods, patching to pDDPM (its `patched: false` is the old DDPM mode).
  const diffusion = method.name === 'pddpm' ? { noise: config.noise, patching: config.patched ? ('patched' as const) : ('whole' as const) } : method.name === 'ddpm' || method.name === 'mddpm' ? { noise: config.noise } : {};
  // f-AnoGAN's split follows the run's length unless chosen.
  const split = method.name === 'fanogan' ? { ganSteps: config.methodOptions?.ganSteps ?? defaultGanSteps(config.steps) } : {};
  return method.trainingConfig(config.preset, {
    // A method without training has no training loss; its model records the registry's (l1).
    ...(method.trains ? { loss: config.loss } : {}),
    alpha: config.alpha,
    ...diffusion,
    batchSize: config.batchSize,
    ...(config.microBatch ? { microBatchSize: config.microBatch } : {}),
    seed: config.seed,
    air: { mode: config.air, enabled: resolveAir(config.air, stats, modalities), stats, modalities },
    smoothing: trainingSmoothing(trainCases),
  }, { ...config.methodOptions, ...split });
}

/** The read-time smoothing the training cases share; throws when they were conformed differently. */
export function trainingSmoothing(cases: readonly ConformedCase[]): CurvatureFlowOptions | null {
  const kinds = new Map(cases.map((c) => [JSON.stringify(c.stats.smoothing), c.stats.smoothing]));
  if (kinds.size > 1) {
    const smoothed = cases.filter((c) => c.stats.smoothing !== null).length;
    throw new FqlabError(
      'bad-argument',
      'training set',
      `the healthy-train cases were prepared with different read-time smoothing (${smoothed} of ${cases.length} smoothed); conform them all the same way (with or without smoothing) and train again.`,
    );
  }
  return [...kinds.values()][0] ?? null;
}

/** Validation Dice and AUPRC of the current weights on the validation cases with lesions (threshold: reference search). */
async function validationScores(
  trainer: Trainer,
  cases: readonly ConformedCase[],
  config: TrainingConfig,
  noiseLevel: number,
): Promise<{ dice: number | null; auprc: number | null }> {
  const pipeline = new AnalysisPipeline();
  for (const c of cases) pipeline.cases.put(c);
  const model: ReconstructionModel = {
    id: `validation@${trainer.step}`,
    airApplied: config.air.enabled,
    reconstruct: (input, level, seed, onProgress) => reconstructWith(trainer.model, input, level, seed, onProgress),
  };
  const seed = 0;
  await pipeline.reconstruct(model, { caseIds: cases.map((c) => c.caseId), noiseLevel, seed });
  const result = pipeline.score({ modelId: model.id, noiseLevel, seed, alpha: config.alpha, score: config.loss === 'fq' ? 'fq' : 'l1', thresholdSource: 'validation-search' });
  return { dice: result.mean.dice.mean, auprc: result.mean.auprc.mean };
}

/** A Trainer that continues the run saved in a model's checkpoint with its training state. */
function resumedTrainer(model: TrainedModel, data: { train: TrainingVolume[]; validation: TrainingVolume[] }): Trainer {
  const contents = deserializeCheckpoint(model.serialize(), model.fileName);
  checkCheckpointTensors(contents, model.fileName);
  if (contents.training === null) {
    throw new FqlabError('bad-argument', model.fileName, 'holds weights only, without the training state needed to resume; start a new training run instead.');
  }
  const volumes = contents.training.sampler.order.length;
  if (volumes > 0 && volumes !== data.train.length) {
    throw new FqlabError('bad-argument', model.fileName, `was trained on ${volumes} healthy volumes, not the ${data.train.length} given; resume with the same training data.`);
  }
  const [nx, ny, nz] = contents.config.dims;
  if ([...data.train, ...data.validation].some((v) => v.image.length !== nx * ny * nz)) {
    throw new FqlabError('bad-argument', model.fileName, `was trained on a ${nx} x ${ny} x ${nz} grid, not the training data's; start a new training run instead.`);
  }
  return Trainer.fromCheckpoint(contents, data);
}

/**
 * The checkpoint of a method with nothing to learn (thresh): its settings alone, with the AIR decision of the
 * healthy-train cases. Throws for a method that trains.
 */
export function untrainedCheckpoint(cases: readonly ConformedCase[], config: TrainConfig): Uint8Array {
  const method = methodDescription(config.method ?? 'pddpm');
  if (method.trains) throw new FqlabError('bad-argument', 'training settings', `${method.label} has weights to train; train it (Model panel) instead.`);
  const trainCases = cases.filter((c) => c.split === 'healthy-train');
  if (trainCases.length === 0) throw new FqlabError('bad-argument', 'training set', 'no healthy training case to decide AIR on; mark at least one case as healthy-train.');
  return serializeCheckpoint({ config: engineTrainingConfig(config, trainCases), training: null, tensors: new Map() });
}

/**
 * Trains a model on the session's cases: healthy-train cases (lesion slices left out) for training, validation
 * cases (lesion slices left out) for the validation loss that picks the checkpoint, and validation cases with lesions
 * for Dice/AUPRC every `evaluateEvery` steps. Rejects with code 'cancelled' when cancelled (the old model stays).
 */
export async function trainModel(
  cases: readonly ConformedCase[],
  config: TrainConfig,
  control: TrainingControl,
  onProgress: (progress: TrainProgress) => void,
  resumeFrom: TrainedModel | null = null,
): Promise<TrainedModel> {
  const trainCases = cases.filter((c) => c.split === 'healthy-train');
  const train = trainCases.map(healthyVolume).filter((v): v is TrainingVolume => v !== null);
  if (train.length === 0) {
    throw new FqlabError('bad-argument', 'training set', 'no healthy training case (with a lesion-free brain slice); mark at least one case as healthy-train.');
  }
  if (!resumeFrom && !methodDescription(config.method ?? 'pddpm').trains) return TrainedModel.fromCheckpoint(untrainedCheckpoint(cases, config), TRAINED_MODEL_NAME);
  const validationCases = cases.filter((c) => c.split === 'validation');
  const validation = validationCases.map(healthyVolume).filter((v): v is TrainingVolume => v !== null);
  const scoredValidation = validationCases.filter((c) => c.anomalousVoxels > 0);
  const trainer = resumeFrom
    ? resumedTrainer(resumeFrom, { train, validation })
    : Trainer.create(engineTrainingConfig(config, trainCases), { train, validation });
  const engineConfig = trainer.config;
  control.attach(trainer);
  const noiseLevel = validationNoiseLevel(engineConfig);
  let validationDice: number | null = null;
  let validationAuprc: number | null = null;
  const deadline = config.maxSeconds ? performance.now() + config.maxSeconds * 1000 : Number.POSITIVE_INFINITY;
  let timeUp = false;
  try {
    while (trainer.step < config.steps && !control.cancelled && !timeUp) {
      if (control.paused) {
        await control.waitWhilePaused();
        continue;
      }
      const left = config.steps - trainer.step;
      const segment = config.evaluateEvery > 0 ? Math.min(left, config.evaluateEvery - (trainer.step % config.evaluateEvery)) : left;
      await trainer.run(segment, {
        validateAtEnd: segment === left,
        onProgress: (p) => {
          if (performance.now() >= deadline) {
            timeUp = true;
            trainer.stop();
          }
          onProgress({
            step: p.step,
            totalSteps: config.steps,
            loss: p.loss,
            valLoss: p.valLoss,
            slicesPerSecond: p.slicesPerSecond,
            etaSeconds: p.slicesPerSecond > 0 ? ((config.steps - p.step) * engineConfig.batchSize) / p.slicesPerSecond : 0,
            validationDice,
            validationAuprc,
            ...(p.stage !== undefined ? { stage: p.stage } : {}),
          });
        },
      });
      const due = config.evaluateEvery > 0 && (trainer.step % config.evaluateEvery === 0 || trainer.step === config.steps);
      if (due && scoredValidation.length > 0 && !control.cancelled) {
        ({ dice: validationDice, auprc: validationAuprc } = await validationScores(trainer, scoredValidation, engineConfig, noiseLevel));
        const last = trainer.history[trainer.history.length - 1];
        onProgress({
          step: trainer.step,
          totalSteps: config.steps,
          loss: last?.loss ?? Number.NaN,
          valLoss: trainer.history.findLast((h) => h.valLoss !== null)?.valLoss ?? null,
          slicesPerSecond: 0,
          etaSeconds: 0,
          validationDice,
          validationAuprc,
        });
      }
    }
    if (control.cancelled) throw workerError('cancelled', '', 'Training was cancelled; the previous model (if any) is kept.');
    const bytes = serializeCheckpoint(await trainer.toCheckpoint());
    return TrainedModel.fromCheckpoint(bytes, TRAINED_MODEL_NAME);
  } finally {
    trainer.dispose();
  }
}
