// `fqlab train`: trains a method's model (pDDPM / pDDPM-IQA by default, or any method of the registry) on healthy volumes and writes its checkpoint.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { TrainConfig, TrainProgress } from '../../session/trainingRun.ts';
import { AIR_MODES } from '../../core/air.ts';
import { MODALITIES } from '../../core/modality.ts';
import { airLabel, smoothingLabel } from '../../core/provenance.ts';
import { choiceFlag, integerFlag, numberFlag, optionalString, requiredString, stringList, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import type { PendingOutputs } from '../outputs.ts';
import { weightsOnlyCheckpoint } from '../../engine/checkpoint.ts';
import { activeKernelSet } from '../../engine/webgpu/kernelFlags.ts';
import { METHOD_FLAG, METHOD_OPTION_FLAGS, METHOD_OPTION_USAGE, METHOD_USAGE, methodFlag, methodOptionsFlag, presetFlag } from '../methodFlags.ts';
import { formatDuration, progressBar } from '../progressBar.ts';
import {
  BACKENDS,
  loadCases,
  openSession,
  readCheckpoint,
  SMOOTHING_FLAG,
  SMOOTHING_USAGE,
  smoothingFlag,
  THREADS_FLAG,
  threadsFlag,
  WEBGPU_KERNELS_FLAG,
  WEBGPU_KERNELS_USAGE,
  webGpuKernelsFlag,
} from '../session.ts';

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a model (pDDPM, or pDDPM-IQA with --loss fq; other methods with --method) on healthy volumes.',
  usage:
    '[--method M] --healthy FILES|DIR [--healthy ...] [--val FILES|DIR ...] [--modality T2] [--preset tiny|small|base|paper]\n' +
    `  [--loss fq|l1] [--alpha ${PAPER_PROTOCOL.fqAlpha}] [--air modality|stats|on|off] [--noise simplex|gaussian] [--ddpm]\n` +
    '  [--steps N | --epochs N] [--max-minutes M] [--batch N] [--micro-batch K] [--threads 1] [--seed 0] [--backend auto|wasm|cpu|webgpu]\n' +
    '  [--webgpu-kernels stock|custom]\n' +
    '  [--resume MODEL_DIR] [--weights-only] [--no-smoothing] [--equalize] [--vae-variant baur|upd] [--gan-steps N] --out MODEL_DIR\n' +
    SMOOTHING_USAGE +
    METHOD_USAGE +
    METHOD_OPTION_USAGE +
    '  Every method trains with --loss l1 or fq (X-IQA: --loss fq, scored with fq, AIR by the modality rule); --preset is\n' +
    '  among the method\'s own (default small, else its only one). thresh learns nothing: its model records the AIR\n' +
    '  decision and --equalize (histogram equalisation of the brain). --noise and --ddpm are pDDPM\'s.\n' +
    '  fanogan trains in two stages: --gan-steps WGAN-GP steps (default 3/4 of the steps, as the reference\'s 30,000 of\n' +
    '  40,000), then its izi_f encoder for the rest; the checkpoint records the split and progress names the stage.\n' +
    '  --air: modality (default) inverts T1, T1CE and FLAIR as the reference does, not T2 or PD; stats inverts when the\n' +
    '  training data\'s mean normal brain intensity is above 0.5; on / off by hand.\n' +
    '  --resume continues that model\'s run (its settings, weights, optimiser and RNG state) up to N steps in all.\n' +
    '  --max-minutes stops early, keeping the best checkpoint so far (training.json records the steps reached).\n' +
    '  --batch: slices per step (default the method\'s: 32; vae --vae-variant upd 64); svae draws whole volumes, so its\n' +
    '  --batch and --micro-batch count volumes (default 4; from preset small up --micro-batch defaults to 1).\n' +
    '  --micro-batch sets the slices per forward/backward pass (default: the preset\'s, sized for the WASM heap; on a\n' +
    '  GPU the whole batch is faster). --weights-only writes just the inference weights (a quarter of the size; no resume).\n' +
    `  --threads N (WASM): N engines, N - 1 of them worker threads, share each step's micro-batches (this machine has\n` +
    `  ${cpus().length} cores); the step is the same to the bit. Methods with BatchNorm (ae, sae, vae, svae, fanogan) train on one.\n` +
    WEBGPU_KERNELS_USAGE +
    '  Writes MODEL_DIR/model.fqlab (the checkpoint with the lowest validation loss) and MODEL_DIR/training.json\n' +
    '  (settings, loss curve, wall time, machine). An epoch draws one random slice per training volume.',
  options: {
    ...METHOD_FLAG,
    ...METHOD_OPTION_FLAGS,
    healthy: { type: 'string', multiple: true },
    val: { type: 'string', multiple: true },
    modality: { type: 'string' },
    preset: { type: 'string' },
    loss: { type: 'string' },
    alpha: { type: 'string' },
    air: { type: 'string' },
    noise: { type: 'string' },
    ddpm: { type: 'boolean' },
    steps: { type: 'string' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    'micro-batch': { type: 'string' },
    'max-minutes': { type: 'string' },
    ...THREADS_FLAG,
    'weights-only': { type: 'boolean' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    ...WEBGPU_KERNELS_FLAG,
    resume: { type: 'string' },
    out: { type: 'string' },
    ...SMOOTHING_FLAG,
  },
  async run(flags: ParsedFlags, outputs: PendingOutputs) {
    const healthy = stringList(flags, 'healthy');
    if (healthy.length === 0) throw new UsageError('--healthy is required (files or folders of healthy volumes)');
    const outDir = requiredString(flags, 'out');
    const method = methodFlag(flags);
    if (flags.ddpm === true && method.name !== 'pddpm') throw new UsageError('--ddpm is pDDPM\'s whole-slice mode; use --method ddpm alone');
    const preset = presetFlag(flags, method, 'small');
    const methodOptions = methodOptionsFlag(flags, method);
    if (flags.steps !== undefined && flags.epochs !== undefined) throw new UsageError('give --steps or --epochs, not both');
    const modality = flags.modality === undefined ? undefined : choiceFlag(flags, 'modality', MODALITIES, 'T2');
    // The method's own default batch (32 slices; SVAE: a few whole volumes).
    const batchSize = integerFlag(flags, 'batch', method.trainingConfig(preset, {}, methodOptions).batchSize, 1, 1024);
    const limits: Pick<TrainConfig, 'microBatch' | 'maxSeconds'> = {
      ...(flags['micro-batch'] === undefined ? {} : { microBatch: integerFlag(flags, 'micro-batch', batchSize, 1, batchSize) }),
      ...(flags['max-minutes'] === undefined ? {} : { maxSeconds: 60 * numberFlag(flags, 'max-minutes', 0, 0.01, 1e6) }),
    };
    const checkpoint = join(outDir, 'model.fqlab');
    const trainingLog = join(outDir, 'training.json');
    outputs.folder(outDir);
    outputs.file(checkpoint);
    outputs.file(trainingLog);
    const started = performance.now();

    const threads = threadsFlag(flags);
    const cli = await openSession(choiceFlag(flags, 'backend', BACKENDS, 'auto'), threads, webGpuKernelsFlag(flags));
    const resumeFrom = optionalString(flags, 'resume');
    if (resumeFrom) {
      const resumed = readCheckpoint(resumeFrom);
      await cli.session.loadCheckpoint(resumed.bytes, resumed.path);
    }
    const smoothing = smoothingFlag(flags);
    const trainCases = await loadCases(cli, healthy, 'healthy-train', modality, smoothing);
    const valPaths = stringList(flags, 'val');
    const valCases = valPaths.length > 0 ? await loadCases(cli, valPaths, 'validation', modality, smoothing) : [];
    const epochs = flags.epochs === undefined ? null : integerFlag(flags, 'epochs', 1, 1);
    const steps = epochs === null ? integerFlag(flags, 'steps', 1000, 1) : Math.ceil((epochs * trainCases.length) / batchSize);
    const config: TrainConfig = {
      method: method.name,
      ...(Object.keys(methodOptions).length > 0 ? { methodOptions } : {}),
      preset,
      loss: choiceFlag(flags, 'loss', ['fq', 'l1'] as const, 'fq'),
      alpha: numberFlag(flags, 'alpha', PAPER_PROTOCOL.fqAlpha, PAPER_PROTOCOL.alphaRange.min, PAPER_PROTOCOL.alphaRange.max),
      air: choiceFlag(flags, 'air', AIR_MODES, 'modality'),
      noise: choiceFlag(flags, 'noise', ['simplex', 'gaussian'] as const, 'simplex'),
      patched: flags.ddpm !== true,
      steps,
      batchSize,
      seed: integerFlag(flags, 'seed', 0),
      evaluateEvery: 0,
      resume: resumeFrom !== undefined,
      ...limits,
    };

    const bar = progressBar('training');
    const history: Pick<TrainProgress, 'step' | 'loss' | 'valLoss' | 'stage'>[] = [];
    const model = await cli.session.train(config, (p) => {
      history.push({ step: p.step, loss: p.loss, valLoss: p.valLoss, ...(p.stage === undefined ? {} : { stage: p.stage }) });
      const val = p.valLoss === null ? '' : ` val ${p.valLoss.toFixed(4)}`;
      const stage = p.stage === undefined ? '' : `${p.stage} `;
      bar.update(p.step, p.totalSteps, `${stage}loss ${p.loss.toFixed(4)}${val} ${p.slicesPerSecond.toFixed(1)} slices/s ETA ${formatDuration(p.etaSeconds)}`);
    });
    bar.finish();

    const bytes = await cli.session.saveCheckpoint();
    outputs.write(checkpoint, flags['weights-only'] === true ? weightsOnlyCheckpoint(bytes, checkpoint) : bytes);
    const summary = {
      checkpoint,
      model,
      config,
      epochs,
      data: {
        healthyTrain: trainCases.map((c) => c.caseId),
        validation: valCases.map((c) => c.caseId),
        meanBrainIntensity: trainCases.map((c) => c.meanBrainIntensity),
        smoothing: smoothingLabel(model.smoothing),
        air: airLabel(model.airApplied, model.airMode),
      },
      backend: cli.backend,
      ...(cli.backend.name === 'webgpu' ? { webgpuKernels: activeKernelSet() } : {}),
      threads,
      wallSeconds: (performance.now() - started) / 1000,
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
      finalLoss: history.at(-1)?.loss ?? null,
      bestValLoss: model.bestValLoss,
    };
    outputs.write(trainingLog, JSON.stringify({ ...summary, history }, null, 2));
    return { ...summary, trainingLog };
  },
};
