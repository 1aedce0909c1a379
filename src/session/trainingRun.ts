// A training run from the session's cases: training data and config, the step loop with validation scores, and its one AbortSignal (cancel, deadline) plus a pause gate.
import { pooledAirStatistics, resolveAir, type AirMode, type AirStatistics } from '../core/air.ts';
import { FqlabError } from '../core/errors.ts';
import type { CurvatureFlowOptions } from '../core/conform/index.ts';
import { PAPER_PROTOCOL } from '../core/protocol.ts';
import type { ConformedCase } from '../analysis/caseStore.ts';
import { AnalysisPipeline, type ReconstructionModel } from '../analysis/pipeline.ts';
import {
  checkCheckpointTensors,
  defaultGanSteps,
  deserializeCheckpoint,
  methodDescription,
  PauseGate,
  serializeCheckpoint,
  Trainer,
  type GradientHelpers,
  type LossKind,
  type MethodName,
  type MethodOptions,
  type NoiseType,
  type TrainingConfig,
  type TrainingVolume,
  type UNetPresetName,
} from '../engine/index.ts';
import { workerError } from './sessionErrors.ts';
import { reconstructWith, TRAINED_MODEL_NAME, TrainedModel } from './trainedModel.ts';

export interface TrainConfig {
  /** The method (src/engine/methods/; absent: pDDPM). */
  method?: MethodName;
  /**
   * The method's own choices (vae variant, thresh equalisation, f-AnoGAN's WGAN-GP steps; absent ganSteps: 3/4 of
   * `steps`, as the reference's 30,000 of 40,000); absent: its defaults.
   */
  methodOptions?: MethodOptions;
  preset: UNetPresetName;
  loss: LossKind;
  alpha: number;
  air: AirMode;
  noise: NoiseType;
  /** pDDPM (2x2 boxes) or plain DDPM (the whole slice as the box). */
  patched: boolean;
  steps: number;
  batchSize: number;
  seed: number;
  /** Evaluate DICE/AUPRC on the validation cases every this many steps (0 = never). */
  evaluateEvery: number;
  /**
   * Slices per forward/backward pass, gradients summed over the batch (default: the preset's, sized for the 4 GiB
   * WASM heap); a GPU with room can take the whole batch at once. Results agree up to float rounding.
   */
  microBatch?: number;
  /** Stop after this many seconds of training (0 or absent: no limit), keeping the best checkpoint so far. */
  maxSeconds?: number;
  /**
   * Continue the loaded model's own training run (its settings, weights, Adam and RNG state) up to `steps` steps in
   * all; preset, loss, noise, batch and seed above are then taken from its checkpoint, not from this config.
   */
  resume?: boolean;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  loss: number;
  valLoss: number | null;
  slicesPerSecond: number;
  etaSeconds: number;
  validationDice?: number | null;
  validationAuprc?: number | null;
  /** The training stage of a method that has several (f-AnoGAN). */
  stage?: string;
}

/** Noise level used for validation Dice/AUPRC during training: the paper's 750 for FQ (pDDPM-IQA), 500 for l1 (pDDPM). */
export function validationNoiseLevel(config: Pick<TrainConfig, 'loss'>): number {
  return config.loss === 'fq' ? PAPER_PROTOCOL.noiseLevel.pddpmIqa : PAPER_PROTOCOL.noiseLevel.pddpm;
}

/** Why a training run stopped early: the user cancelled it (its model is dropped), or its maxSeconds were up (kept). */
export type TrainingStop = 'cancelled' | 'time-up';

/**
 * Pause, resume and cancel of one training run, delivered between optimiser steps: one AbortController whose signal
 * the trainer checks before each step (aborted with the reason: cancel, or the deadline; the first reason stands),
 * and a pause gate the trainer waits at while paused (an abort releases it).
 */
export class TrainingRun {
  private readonly controller = new AbortController();
  readonly pauseGate = new PauseGate();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the run was stopped, or null while it may go on. */
  get stopped(): TrainingStop | null {
    return this.signal.aborted ? (this.signal.reason as TrainingStop) : null;
  }

  pause(): void {
    this.pauseGate.pause();
  }

  resume(): void {
    this.pauseGate.resume();
  }

  cancel(): void {
    this.controller.abort('cancelled' satisfies TrainingStop);
  }

  /** The run's time is up: it ends after the current step and keeps what it has learnt. */
  timeUp(): void {
    this.controller.abort('time-up' satisfies TrainingStop);
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
function resumedTrainer(model: TrainedModel, data: { train: TrainingVolume[]; validation: TrainingVolume[] }, helpers: GradientHelpers | undefined): Trainer {
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
  return Trainer.fromCheckpoint(contents, data, { helpers });
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
 * for Dice/AUPRC every `evaluateEvery` steps. `run` stops it between steps: rejects with code 'cancelled' when cancelled
 * (the old model stays); past `maxSeconds` it ends after the step in progress and returns what it has learnt.
 */
export async function trainModel(
  cases: readonly ConformedCase[],
  config: TrainConfig,
  run: TrainingRun,
  onProgress: (progress: TrainProgress) => void,
  resumeFrom: TrainedModel | null = null,
  helpers?: GradientHelpers,
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
    ? resumedTrainer(resumeFrom, { train, validation }, helpers)
    : Trainer.create(engineTrainingConfig(config, trainCases), { train, validation }, { helpers });
  const engineConfig = trainer.config;
  const noiseLevel = validationNoiseLevel(engineConfig);
  let validationDice: number | null = null;
  let validationAuprc: number | null = null;
  const deadline = config.maxSeconds ? performance.now() + config.maxSeconds * 1000 : Number.POSITIVE_INFINITY;
  const { signal, pauseGate } = run;
  try {
    while (trainer.step < config.steps && !signal.aborted) {
      const left = config.steps - trainer.step;
      const segment = config.evaluateEvery > 0 ? Math.min(left, config.evaluateEvery - (trainer.step % config.evaluateEvery)) : left;
      await trainer.run(segment, {
        signal,
        pauseGate,
        validateAtEnd: segment === left,
        onProgress: (p) => {
          if (performance.now() >= deadline) run.timeUp();
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
      if (due && scoredValidation.length > 0 && run.stopped !== 'cancelled') {
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
    if (run.stopped === 'cancelled') throw workerError('cancelled', '', 'Training was cancelled; the previous model (if any) is kept.');
    const bytes = serializeCheckpoint(await trainer.toCheckpoint());
    return TrainedModel.fromCheckpoint(bytes, TRAINED_MODEL_NAME);
  } finally {
    trainer.dispose();
  }
}
