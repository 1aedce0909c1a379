// Trains a method's network step by step (seeded; stopped by an AbortSignal, paused at a PauseGate), validates on held-out healthy slices and keeps the best weights.
import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam.ts';
import { checkpointWeights, type CheckpointContents } from './checkpoint.ts';
import { lossSetup, sliceBatch, weightedGradients, type Batch, type GradientHelpers, type LossSetup, type MicroBatchJob, type WeightedGradients } from './microBatch.ts';
import { createNetwork, methodOf, networkFromWeights } from './methods/registry.ts';
import type { MethodNetwork } from './methods/types.ts';
import type { PauseGate } from './pauseGate.ts';
import { boxMask, patchBoxes, type PatchBox } from './patching.ts';
import { Rng } from './rng.ts';
import type { TrainingConfig } from './trainingConfig.ts';
import { copySlice, prepareVolumes, SliceSampler, type PreparedVolume, type TrainingVolume } from './trainingData.ts';
import type { HistoryEntry, TrainingProgress, TrainingState } from './trainingState.ts';

/** Healthy conformed volumes for training and (held out) for validation. */
export interface TrainingData {
  train: readonly TrainingVolume[];
  validation: readonly TrainingVolume[];
}

export interface RunOptions {
  onProgress?: (progress: TrainingProgress) => void;
  /** Aborting stops the run between steps (the step in progress completes); a session aborts it to cancel or at a deadline. */
  signal?: AbortSignal;
  /** While paused, the run waits here between steps (an abort of `signal` releases it). */
  pauseGate?: PauseGate;
  /** Also validate after the run's last step (default: only every validateEvery steps). */
  validateAtEnd?: boolean;
}

export interface TrainerOptions {
  /**
   * Engines that compute some of each step's micro-batches in parallel (Node: startEngineWorkers in
   * nodeEngineWorkers.ts). The step is the same to the bit with or without them; the caller closes them.
   */
  helpers?: GradientHelpers;
}

/**
 * The helpers a network can use: none when it trains itself or keeps state a pass updates (BatchNorm running
 * statistics), which a helper's replica would update in place of this engine's.
 */
function usableHelpers(model: MethodNetwork, helpers: GradientHelpers | undefined): GradientHelpers | undefined {
  const passState = model.ownTraining !== undefined || model.specs.some((s) => s.trainable === false);
  return passState ? undefined : helpers;
}

/** Smoothing of the throughput estimate (weight of the newest step). */
const PACE_SMOOTHING = 0.2;

/** Slices per training sample: a whole volume for a sequence method (SVAE), else one. */
function sequenceOf(config: TrainingConfig): number {
  return methodOf(config).sequenceLength?.(config) ?? 1;
}

/** `samples` draws of `pick`: one slice each, or for a sequence method all of the drawn volume's slices in axial order. */
function drawBatch(samples: number, volumes: readonly PreparedVolume[], pick: () => { volume: number; slice: number }, boxes: PatchBox[], config: TrainingConfig, rng: Rng): Batch {
  const [nx, ny] = config.dims;
  const pixels = nx * ny;
  const sequence = sequenceOf(config);
  const size = samples * sequence;
  const x0 = new Float32Array(size * pixels);
  const masks = new Float32Array(size * pixels);
  const t = new Int32Array(size);
  const method = methodOf(config);
  const input = method.trainingInput === undefined ? undefined : new Float32Array(size * pixels);
  let drawn = { volume: 0, slice: 0 };
  for (let i = 0; i < size; i++) {
    if (i % sequence === 0) drawn = pick();
    const { volume } = drawn;
    const slice = sequence === 1 ? drawn.slice : i % sequence;
    copySlice(volumes[volume].image, slice, config.dims, x0, i * pixels);
    boxMask(boxes[boxes.length === 1 ? 0 : rng.int(boxes.length)], nx, masks.subarray(i * pixels, (i + 1) * pixels));
    t[i] = rng.int(config.diffusionSteps);
    if (input !== undefined && method.trainingInput !== undefined) {
      const brain = Float32Array.from(Array.prototype.slice.call(volumes[volume].brainMask, slice * pixels, (slice + 1) * pixels) as number[]);
      input.set(method.trainingInput(config, rng, x0.subarray(i * pixels, (i + 1) * pixels), brain), i * pixels);
    }
  }
  const noise = method.trainingNoise(config, rng, t);
  return input === undefined ? { size, x0, masks, t, noise } : { size, x0, masks, t, noise, input };
}

/**
 * A training run. Each step draws batchSize slices (one random slice per volume per epoch), a random
 * box per slice, t ~ U{0..T-1} and noise, all from one seeded stream, so the same config and data
 * give the same loss curve. Validation uses fixed slices, boxes, t and noise (its own seed).
 * @example
 * const trainer = Trainer.create(defaultTrainingConfig('tiny'), { train, validation });
 * await trainer.run(100, { onProgress: (p) => console.log(p.step, p.loss) });
 * const bytes = serializeCheckpoint(await trainer.toCheckpoint());
 */
export class Trainer {
  private readonly setup: LossSetup;
  private readonly boxes: PatchBox[];
  /** Slices per sample (sequenceOf): batchSize and microBatchSize count samples. */
  private readonly sequence: number;
  private secondsPerStep: number | null = null;
  private lastValLoss: number | null = null;
  private bestWeights: Map<string, Float32Array> | null;

  private constructor(
    readonly config: TrainingConfig,
    readonly model: MethodNetwork,
    /** The trainer's Adam over every trainable weight; null when the network trains itself (model.ownTraining). */
    private readonly adam: Adam | null,
    private readonly train: PreparedVolume[],
    private readonly validation: Batch[],
    private readonly rng: Rng,
    private readonly sampler: SliceSampler,
    private state: Omit<TrainingState, 'rng' | 'sampler' | 'adamStep'>,
    bestWeights: Map<string, Float32Array> | null,
    private readonly helpers: GradientHelpers | undefined,
  ) {
    this.setup = lossSetup(config);
    if (config.dims[0] !== config.dims[1]) throw new RangeError(`Trainer: slices must be square, got ${config.dims[0]} x ${config.dims[1]}`);
    this.boxes = patchBoxes(config.patching, config.dims[0], config.dims[0] / 2);
    this.sequence = sequenceOf(config);
    this.bestWeights = bestWeights;
    this.lastValLoss = state.history.findLast((h) => h.valLoss !== null)?.valLoss ?? null;
  }

  /** A fresh run with a seeded model. */
  static create(config: TrainingConfig, data: TrainingData, options: TrainerOptions = {}): Trainer {
    const model = createNetwork(config, config.seed);
    const adam = model.ownTraining === undefined ? new Adam(model.trainableVariables(), config.adam) : null;
    const rng = new Rng(`train:${config.seed}`);
    const train = prepareVolumes(data.train, config.air.enabled, config.brainSlicesOnly, config.dims);
    const sampler = new SliceSampler(train, rng);
    const state = { step: 0, bestValLoss: null, bestStep: null, history: [] };
    return new Trainer(config, model, adam, train, Trainer.validationBatches(config, data.validation), rng, sampler, state, null, usableHelpers(model, options.helpers));
  }

  /** Continues a run from a checkpoint saved with its training state (same data as before). */
  static fromCheckpoint(contents: CheckpointContents, data: TrainingData, options: TrainerOptions = {}): Trainer {
    const training = contents.training;
    if (training === null) throw new Error('Trainer.fromCheckpoint: this checkpoint holds weights only, not the training state needed to resume');
    const config = contents.config;
    const model = networkFromWeights(config, checkpointWeights(contents, 'current'));
    const first = checkpointWeights(contents, 'adam.m');
    const second = checkpointWeights(contents, 'adam.v');
    const pick = (m: Map<string, Float32Array>, name: string): Float32Array => {
      const v = m.get(name);
      if (v === undefined) throw new Error(`Trainer.fromCheckpoint: the checkpoint lacks the Adam moments of ${name}`);
      return v;
    };
    let adam: Adam | null = null;
    if (model.ownTraining !== undefined) model.ownTraining.restoreOptimizer(training.step, first, second);
    else {
      adam = new Adam(model.trainableVariables(), config.adam);
      adam.restore(training.adamStep, model.trainableSpecs.map((s) => pick(first, s.name)), model.trainableSpecs.map((s) => pick(second, s.name)));
    }
    const rng = Rng.fromState(training.rng);
    const train = prepareVolumes(data.train, config.air.enabled, config.brainSlicesOnly, config.dims);
    const sampler = new SliceSampler(train, rng, training.sampler);
    const best = training.bestValLoss === null ? null : checkpointWeights(contents, 'model');
    const state = { step: training.step, bestValLoss: training.bestValLoss, bestStep: training.bestStep, history: [...training.history] };
    return new Trainer(config, model, adam, train, Trainer.validationBatches(config, data.validation), rng, sampler, state, best, usableHelpers(model, options.helpers));
  }

  /** Fixed validation batches: slices round-robin over the volumes, box, t and noise from a seed of their own. */
  private static validationBatches(config: TrainingConfig, volumes: readonly TrainingVolume[]): Batch[] {
    if (volumes.length === 0 || config.validationSlices <= 0) return [];
    const prepared = prepareVolumes(volumes, config.air.enabled, config.brainSlicesOnly, config.dims);
    const rng = new Rng(`validation:${config.seed}`);
    const boxes = patchBoxes(config.patching, config.dims[0], config.dims[0] / 2);
    const samples = Math.ceil(config.validationSlices / sequenceOf(config));
    let next = 0;
    const pick = (): { volume: number; slice: number } => {
      const volume = next++ % prepared.length;
      const allowed = prepared[volume].slices;
      return { volume, slice: allowed[rng.int(allowed.length)] };
    };
    const batches: Batch[] = [];
    for (let done = 0; done < samples; done += config.batchSize) {
      batches.push(drawBatch(Math.min(config.batchSize, samples - done), prepared, pick, boxes, config, rng));
    }
    return batches;
  }

  get step(): number {
    return this.state.step;
  }

  get history(): readonly HistoryEntry[] {
    return this.state.history;
  }

  get bestValLoss(): number | null {
    return this.state.bestValLoss;
  }

  /** Engines that compute a step's micro-batches: this one plus the helpers the network can use. */
  get gradientEngines(): number {
    return 1 + (this.helpers?.count ?? 0);
  }

  /**
   * The batch's gradients and loss: the weighted micro-batch results summed in micro-batch order.
   * With helpers, this engine computes the first ceil(k / engines) of the k micro-batches and the
   * helpers the rest, all at once; every engine computes a micro-batch identically, so the sum does
   * not depend on who did what. Memory stays at one running sum plus one micro-batch here.
   */
  private async sumMicroBatches(adam: Adam, jobs: MicroBatchJob[]): Promise<{ gradients: tf.Tensor[]; lossSum: tf.Tensor }> {
    const variables = adam.variables as tf.Variable[];
    const engines = this.helpers === undefined ? 1 : Math.min(this.helpers.count + 1, jobs.length);
    const ownCount = Math.ceil(jobs.length / engines);
    const remote = jobs.slice(ownCount);
    const pending = remote.length > 0 && this.helpers !== undefined
      ? this.helpers.compute(this.config, [...(await this.model.readWeights()).values()], remote)
      : Promise.resolve([]);
    // Observed now: if this engine's own micro-batches throw first, the helpers' failure must not surface unhandled.
    pending.catch(() => undefined);
    let sum: WeightedGradients | null = null;
    const add = (part: WeightedGradients): void => {
      if (sum === null) {
        sum = part;
        return;
      }
      const previous: WeightedGradients = sum;
      sum = tf.tidy(() => ({ loss: tf.add(previous.loss, part.loss) as tf.Scalar, gradients: previous.gradients.map((g, j) => tf.add(g, part.gradients[j])) }));
      tf.dispose([previous.loss, ...previous.gradients, part.loss, ...part.gradients]);
    };
    for (const job of jobs.slice(0, ownCount)) add(weightedGradients(this.model, variables, job.part, job.weight, this.setup));
    for (const answer of await pending) {
      add(tf.tidy(() => ({ loss: tf.scalar(answer.loss), gradients: answer.gradients.map((g, j) => tf.tensor(g, variables[j].shape, 'float32')) })));
    }
    if (sum === null) throw new Error('Trainer: empty batch');
    const { gradients, loss } = sum as WeightedGradients;
    return { gradients, lossSum: loss };
  }

  /** Mean loss over the fixed validation slices (null without validation data). */
  async validate(): Promise<number | null> {
    if (this.validation.length === 0) return null;
    let sum = 0;
    let count = 0;
    const micro = Math.max(1, Math.floor(this.config.microBatchSize)) * this.sequence;
    for (const batch of this.validation) {
      for (let start = 0; start < batch.size; start += micro) {
        const part = sliceBatch(batch, start, Math.min(micro, batch.size - start), this.config.dims);
        const loss = this.model.batchLoss(part, this.setup, false);
        sum += (await loss.data())[0] * part.size;
        loss.dispose();
        count += part.size;
      }
    }
    return sum / count;
  }

  /** One Adam update from the batch's micro-batches; returns the batch's loss. */
  private async adamStep(batch: Batch): Promise<number> {
    const adam = this.adam;
    if (adam === null) throw new Error('Trainer: this network trains with its own optimiser, not Adam');
    const micro = Math.max(1, Math.min(Math.floor(this.config.microBatchSize), this.config.batchSize)) * this.sequence;
    const jobs: MicroBatchJob[] = [];
    for (let start = 0; start < batch.size; start += micro) {
      const part = sliceBatch(batch, start, Math.min(micro, batch.size - start), this.config.dims);
      // The batch loss is the mean over slices, so each micro-batch counts by its share.
      jobs.push({ part, weight: part.size / batch.size });
    }
    const { gradients, lossSum } = await this.sumMicroBatches(adam, jobs);
    this.model.updateStatistics?.(batch, this.setup);
    adam.apply(gradients);
    const loss = (await lossSum.data())[0];
    tf.dispose([...gradients, lossSum]);
    return loss;
  }

  /** One optimiser step (validation too when due); returns the step's progress. */
  async trainStep(validateNow = false): Promise<TrainingProgress> {
    const started = performance.now();
    const batch = drawBatch(this.config.batchSize, this.train, () => this.sampler.next(), this.boxes, this.config, this.rng);
    const own = this.model.ownTraining;
    const loss = own !== undefined ? await own.step(batch, this.setup, this.state.step) : await this.adamStep(batch);
    this.state.step++;
    let valLoss: number | null = null;
    const validates = own?.validatesAt(this.state.step) ?? true;
    if (validates && (validateNow || this.state.step % this.config.validateEvery === 0)) {
      valLoss = await this.validate();
      if (valLoss !== null) {
        this.lastValLoss = valLoss;
        if (this.state.bestValLoss === null || valLoss < this.state.bestValLoss) {
          this.state.bestValLoss = valLoss;
          this.state.bestStep = this.state.step;
          this.bestWeights = await this.model.readWeights();
        }
      }
    }
    this.state.history.push({ step: this.state.step, loss, valLoss });
    const seconds = (performance.now() - started) / 1000;
    this.secondsPerStep = this.secondsPerStep === null ? seconds : (1 - PACE_SMOOTHING) * this.secondsPerStep + PACE_SMOOTHING * seconds;
    return {
      step: this.state.step,
      loss,
      valLoss: valLoss ?? this.lastValLoss,
      bestValLoss: this.state.bestValLoss,
      slicesPerSecond: (this.config.batchSize * this.sequence) / this.secondsPerStep,
      etaSeconds: 0,
      ...(own !== undefined ? { stage: own.stageOf(this.state.step) } : {}),
    };
  }

  /**
   * Runs up to `steps` steps, validating every validateEvery steps (and after the last one with
   * validateAtEnd). Yields to the event loop between steps so a worker can deliver an abort or a pause, waits at the
   * pause gate while paused, and stops before the next step once the signal is aborted; returns the last progress
   * (null if stopped before the first step). After an abort the trainer is intact: checkpoint it or run() on.
   */
  async run(steps: number, options: RunOptions = {}): Promise<TrainingProgress | null> {
    const { signal, pauseGate } = options;
    let last: TrainingProgress | null = null;
    for (let i = 0; i < steps; i++) {
      await pauseGate?.passed(signal);
      if (signal?.aborted) break;
      const progress = await this.trainStep(options.validateAtEnd === true && i === steps - 1);
      progress.etaSeconds = (steps - i - 1) * (this.secondsPerStep ?? 0);
      last = progress;
      options.onProgress?.(progress);
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    return last;
  }

  /** The weights to use for inference: the lowest-validation-loss ones, or the current ones without validation. */
  async inferenceWeights(): Promise<Map<string, Float32Array>> {
    return this.bestWeights ?? (await this.model.readWeights());
  }

  /**
   * The run as checkpoint contents: inference weights ("model/"), and unless weightsOnly the current
   * weights, Adam moments and training state for resuming.
   */
  async toCheckpoint(weightsOnly = false): Promise<CheckpointContents> {
    const tensors: CheckpointContents['tensors'] = new Map();
    const shapes = new Map(this.model.specs.map((s) => [s.name, s.shape]));
    const add = (prefix: string, weights: Map<string, Float32Array>): void => {
      for (const [name, values] of weights) tensors.set(`${prefix}/${name}`, { shape: shapes.get(name) ?? [values.length], values });
    };
    const current = await this.model.readWeights();
    add('model', this.bestWeights ?? current);
    if (weightsOnly) return { config: this.config, training: null, tensors };
    add('current', current);
    const moments = async (vars: tf.Variable[]): Promise<Map<string, Float32Array>> => {
      const out = new Map<string, Float32Array>();
      for (let i = 0; i < vars.length; i++) out.set(this.model.trainableSpecs[i].name, (await vars[i].data()) as Float32Array);
      return out;
    };
    const adam = this.adam;
    const optimizer = adam === null ? await this.model.ownTraining?.optimizerState() : { first: await moments(adam.firstMoments), second: await moments(adam.secondMoments) };
    if (optimizer === undefined) throw new Error('Trainer: the network has neither Adam nor its own optimiser');
    add('adam.m', optimizer.first);
    add('adam.v', optimizer.second);
    const training: TrainingState = {
      ...this.state,
      history: [...this.state.history],
      rng: this.rng.state(),
      sampler: this.sampler.state(),
      adamStep: this.adam?.step ?? this.state.step,
    };
    return { config: this.config, training, tensors };
  }

  dispose(): void {
    this.adam?.dispose();
    this.model.dispose();
  }
}
