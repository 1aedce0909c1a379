// The checkpoint header's schema (zod): sane ranges for every config value, the training state and the tensor table, so a damaged or hostile header is refused before anything is allocated.
import { z } from 'zod';
import type { AirMode } from '../core/air.ts';
import type { CheckpointHeader, TensorEntry } from './checkpoint.ts';
import type { LossKind, LossRange } from './loss.ts';
import type { NoiseType } from './noise.ts';
import type { PatchingMode } from './patching.ts';
import { MAX_DIFFUSION_STEPS } from './schedule.ts';
import { MODALITIES } from '../core/modality.ts';
import type { SavedTrainingConfig } from './trainingConfig.ts';
import type { HistoryEntry, TrainingState } from './trainingState.ts';
import { upgradeTrainingConfig } from './trainingConfig.ts';
import type { BaselineSettings, MethodName } from './methods/types.ts';
import { methodOf } from './methods/registry.ts';
import type { UNetConfig, UNetPresetName } from './unetConfig.ts';
import { unetParameterCount } from './unetPlan.ts';

/**
 * What a checkpoint may ask for: generous around fqlab's presets (paper: width 128, 3 levels, 37.5 M parameters,
 * 96 x 96 x 50 grid, batch 32) but far from what would exhaust memory or time.
 */
export const CHECKPOINT_LIMITS = {
  /** Side of the (square) training slice. */
  maxSliceSide: 1024,
  /** Axial slices of the training grid. */
  maxSlices: 1024,
  maxModelChannels: 1024,
  /** Resolution levels (channelMult entries); 96 / 2^5 = 3 pixels at the lowest. */
  maxLevels: 6,
  maxChannelMult: 16,
  maxResBlocks: 8,
  maxHeads: 64,
  /** About 5x the paper's model: 800 MB of float32 per weight set. */
  maxParameters: 200_000_000,
  maxBatchSize: 4096,
  maxValidationSlices: 100_000,
  maxSimplexOctaves: 16,
  /** Simplex base period in pixels. */
  maxSimplexFrequency: 100_000,
  /** Optimiser steps, and so history entries and steps between validations. */
  maxSteps: 1_000_000_000,
  /** Alea's carry word is an unsigned 32-bit integer. */
  maxAleaCarry: 0xffffffff,
  maxTensorRank: 8,
  maxTensorNameLength: 256,
  /** Read-time curvature flow: the reference runs 3 steps of 0.125; more would blur a scan away. */
  maxSmoothingIterations: 100,
  maxSmoothingTimeStep: 10,
  /** A baseline's latent size and the levels of its network. */
  maxLatent: 65_536,
} as const;

const L = CHECKPOINT_LIMITS;

/** Every member of a string union, kept complete by the compiler (a missing or unknown key does not compile). */
function members<T extends string>(all: Record<T, true>): [T, ...T[]] {
  return Object.keys(all) as [T, ...T[]];
}

const positiveInt = (max: number) => z.int().min(1).max(max);
const count = (max: number) => z.int().min(0).max(max);

const unetSchema: z.ZodType<UNetConfig> = z
  .object({
    modelChannels: positiveInt(L.maxModelChannels),
    channelMult: z.array(positiveInt(L.maxChannelMult)).min(1).max(L.maxLevels),
    numResBlocks: positiveInt(L.maxResBlocks),
    groups: positiveInt(L.maxModelChannels),
    numHeads: positiveInt(L.maxHeads),
    middleAttention: z.boolean(),
    scaleShift: z.literal(false).optional(),
  })
  .superRefine((unet, ctx) => {
    // GroupNorm splits every width (each a multiple of some level's) into groups; attention splits the middle width into heads.
    const widths = unet.channelMult.map((m) => m * unet.modelChannels);
    const unsplit = widths.find((w) => w % unet.groups !== 0);
    if (unsplit !== undefined) ctx.addIssue({ code: 'custom', path: ['groups'], message: `${unsplit} channels do not split into ${unet.groups} groups` });
    const middle = widths[widths.length - 1];
    if (unet.middleAttention && middle % unet.numHeads !== 0) {
      ctx.addIssue({ code: 'custom', path: ['numHeads'], message: `${middle} middle channels do not split into ${unet.numHeads} heads` });
    }
    const parameters = unetParameterCount(unet);
    if (parameters > L.maxParameters) ctx.addIssue({ code: 'custom', message: `asks for a U-Net of ${parameters} parameters, more than the ${L.maxParameters} fqlab allows` });
  });

const METHOD_NAMES = members<MethodName>({ pddpm: true, ddpm: true, mddpm: true, thresh: true, ae: true, sae: true, vae: true, svae: true, dae: true, fanogan: true });

const widths = z.array(positiveInt(L.maxModelChannels)).min(1).max(L.maxLevels);

const baurSchema = z.object({
  kind: z.literal('baur'),
  variant: z.enum(['dense', 'spatial', 'variational']),
  filters: widths,
  kernel: positiveInt(15),
  bottleneckChannels: positiveInt(L.maxModelChannels),
  zDim: positiveInt(L.maxLatent),
  dropout: z.number().min(0).lt(1),
  leakySlope: z.number().min(0).max(1),
  klWeight: z.number().min(0).max(1e6),
  batchNormMomentum: z.number().min(0).max(1),
  batchNormEpsilon: z.number().positive().max(1),
});

const baselineSchema: z.ZodType<BaselineSettings> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('thresh'), equalize: z.boolean() }),
  baurSchema,
  z.object({
    kind: z.literal('upd-vae'),
    filters: widths,
    kernel: positiveInt(15),
    bottleneckChannels: positiveInt(L.maxModelChannels),
    zDim: positiveInt(L.maxLatent),
    leakySlope: z.number().min(0).max(1),
    klWeight: z.number().min(0).max(1e6),
    batchNormMomentum: z.number().min(0).max(1),
    batchNormEpsilon: z.number().positive().max(1),
  }),
  z
    .object({
      kind: z.literal('svae'),
      slice: baurSchema,
      layers: positiveInt(L.maxLevels),
      heads: positiveInt(L.maxModelChannels),
      feedForward: positiveInt(L.maxLatent),
      layerNormEpsilon: z.number().positive().max(1),
    })
    .refine((s) => s.slice.variant === 'variational' && s.slice.zDim % s.heads === 0, { message: 'the SVAE needs a variational slice network whose latent width splits into its attention heads' }),
  z.object({
    kind: z.literal('dae'),
    widths,
    noiseStd: z.number().min(0).max(100),
    noiseResolution: positiveInt(L.maxSliceSide),
    foregroundThreshold: z.number().min(0).max(1),
  }),
  z.object({
    kind: z.literal('fanogan'),
    dim: positiveInt(L.maxModelChannels),
    zDim: positiveInt(L.maxLatent),
    ganSteps: count(L.maxSteps),
    criticIterations: positiveInt(L.maxSteps),
    gradientPenaltyWeight: z.number().min(0).max(1e6),
    featureWeight: z.number().min(0).max(1e6),
    encoderOptimizer: z.object({ learningRate: z.number().positive().max(1), alpha: z.number().min(0).lt(1), epsilon: z.number().positive().max(1) }),
    layerNormEpsilon: z.number().positive().max(1),
    batchNormMomentum: z.number().min(0).max(1),
    batchNormEpsilon: z.number().positive().max(1),
  }),
]);

/** The settings kinds each method takes (null: the U-Net instead); the vae's second is its UPD variant. */
const BASELINE_KINDS: Readonly<Record<MethodName, readonly BaselineSettings['kind'][] | null>> = {
  pddpm: null,
  ddpm: null,
  mddpm: null,
  thresh: ['thresh'],
  ae: ['baur'],
  sae: ['baur'],
  vae: ['baur', 'upd-vae'],
  svae: ['svae'],
  dae: ['dae'],
  fanogan: ['fanogan'],
};

const airStatisticsSchema = z.object({
  muNormal: z.number(),
  muAnomalous: z.number().nullable(),
  air: z.number().nullable(),
  suggested: z.boolean(),
});

const trainingConfigSchema: z.ZodType<SavedTrainingConfig> = z
  .object({
    dims: z.tuple([positiveInt(L.maxSliceSide), positiveInt(L.maxSliceSide), positiveInt(L.maxSlices)]),
    preset: z.enum(members<UNetPresetName | 'custom'>({ paper: true, base: true, small: true, tiny: true, custom: true })),
    unet: unetSchema.nullable(),
    patching: z.enum(members<PatchingMode>({ patched: true, whole: true })),
    loss: z.enum(members<LossKind>({ l1: true, fq: true })),
    alpha: z.number().min(0).max(1),
    lossRange: z.enum(members<LossRange>({ model: true, unit: true })),
    noise: z.enum(members<NoiseType>({ gaussian: true, simplex: true })),
    simplex: z.object({
      octaves: positiveInt(L.maxSimplexOctaves),
      persistence: z.number().positive().max(1),
      frequency: z.number().positive().max(L.maxSimplexFrequency),
    }),
    diffusionSteps: positiveInt(MAX_DIFFUSION_STEPS),
    cosineOffset: z.number().min(0).max(1),
    adam: z.object({
      learningRate: z.number().positive().max(1),
      beta1: z.number().min(0).lt(1),
      beta2: z.number().min(0).lt(1),
      epsilon: z.number().positive().max(1),
    }),
    batchSize: positiveInt(L.maxBatchSize),
    microBatchSize: positiveInt(L.maxBatchSize),
    seed: z.int(),
    brainSlicesOnly: z.boolean(),
    air: z.object({
      // 'auto' is how checkpoints before the per-modality rule said 'stats'.
      mode: z.enum(members<AirMode | 'auto'>({ modality: true, stats: true, on: true, off: true, auto: true })),
      enabled: z.boolean(),
      stats: airStatisticsSchema.nullable(),
      modalities: z.array(z.enum(MODALITIES)).max(MODALITIES.length).optional(),
    }),
    smoothing: z
      .object({ timeStep: z.number().positive().max(L.maxSmoothingTimeStep), iterations: count(L.maxSmoothingIterations) })
      .nullable()
      .optional(),
    validateEvery: positiveInt(L.maxSteps),
    validationSlices: count(L.maxValidationSlices),
    method: z.enum(METHOD_NAMES).optional(),
    baseline: baselineSchema.nullable().optional(),
  })
  .superRefine((config, ctx) => {
    // The method's settings: the U-Net for the diffusion methods, its own kind of baseline settings for the others.
    const method = config.method ?? 'pddpm';
    const kinds = BASELINE_KINDS[method];
    if (kinds === null && config.unet === null) return ctx.addIssue({ code: 'custom', path: ['unet'], message: `method ${method} needs its U-Net settings` });
    if (kinds !== null && config.unet !== null) return ctx.addIssue({ code: 'custom', path: ['unet'], message: `method ${method} has no U-Net (null expected)` });
    const kind = config.baseline?.kind ?? null;
    if (kinds === null ? kind !== null : kind === null || !kinds.includes(kind)) {
      return ctx.addIssue({ code: 'custom', path: ['baseline'], message: `method ${method} needs ${kinds === null ? 'no baseline settings (null)' : `${kinds.join(' or ')} settings`}` });
    }
    // Training runs on square slices that the network halves (levels - 1) times and pDDPM splits into 2 x 2 boxes.
    const full = upgradeTrainingConfig(config);
    const description = methodOf(full);
    const [nx, ny] = config.dims;
    const divisor = description.sliceDivisor(full);
    const network = config.unet !== null ? 'U-Net' : `${description.label} network`;
    if (nx !== ny) ctx.addIssue({ code: 'custom', path: ['dims'], message: `slices must be square, not ${nx} x ${ny}` });
    else if (nx % divisor !== 0) ctx.addIssue({ code: 'custom', path: ['dims'], message: `the slice side ${nx} is not a multiple of ${divisor}, as this ${network} and patching need` });
    else if (config.unet === null) {
      const parameters = description.networks(full).reduce((n, net) => n + net.parameters, 0);
      if (parameters > L.maxParameters) ctx.addIssue({ code: 'custom', path: ['baseline'], message: `asks for a network of ${parameters} parameters, more than the ${L.maxParameters} fqlab allows` });
    }
  });

const historyEntrySchema: z.ZodType<HistoryEntry> = z.object({
  step: positiveInt(L.maxSteps),
  loss: z.number(),
  valLoss: z.number().nullable(),
});

const unitInterval = z.number().min(0).lt(1);

const trainingStateSchema: z.ZodType<TrainingState> = z
  .object({
    step: count(L.maxSteps),
    bestValLoss: z.number().nullable(),
    bestStep: positiveInt(L.maxSteps).nullable(),
    history: z.array(historyEntrySchema).max(L.maxSteps),
    rng: z.object({
      alea: z.tuple([unitInterval, unitInterval, unitInterval, count(L.maxAleaCarry)]),
      spareNormal: z.number().nullable(),
    }),
    sampler: z.object({ order: z.array(count(L.maxSteps)), position: count(L.maxSteps) }),
    adamStep: count(L.maxSteps),
  })
  .superRefine((state, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if ((state.bestValLoss === null) !== (state.bestStep === null)) issue(['bestStep'], 'must be given exactly when bestValLoss is');
    else if (state.bestStep !== null && state.bestStep > state.step) issue(['bestStep'], `is after the last step ${state.step}`);
    // One entry per completed step, in order.
    const late = state.history.findIndex((h, i) => h.step > state.step || (i > 0 && h.step <= state.history[i - 1].step));
    if (late >= 0) issue(['history', late, 'step'], `is not after the previous entry or is past the last step ${state.step}`);
    // The sampler's epoch order is a permutation of the training volumes.
    const { order, position } = state.sampler;
    const seen = new Set<number>();
    const stray = order.findIndex((v) => {
      const repeated = seen.has(v);
      seen.add(v);
      return repeated || v >= order.length;
    });
    if (stray >= 0) issue(['sampler', 'order', stray], `is not part of a permutation of 0 .. ${order.length - 1}`);
    if (position > order.length) issue(['sampler', 'position'], `is past the end of the ${order.length}-volume order`);
  });

const tensorEntrySchema: z.ZodType<TensorEntry> = z.object({
  name: z.string().min(1).max(L.maxTensorNameLength),
  shape: z.array(positiveInt(Number.MAX_SAFE_INTEGER)).max(L.maxTensorRank),
  dtype: z.literal('float32'),
  offset: z.int().min(0).multipleOf(4),
});

/** The whole JSON header; byte bounds, overlaps and values are checked against the file in checkpoint.ts. */
export const checkpointHeaderSchema: z.ZodType<CheckpointHeader> = z.object({
  format: z.literal('fqlab-checkpoint'),
  version: z.number(),
  config: trainingConfigSchema,
  training: trainingStateSchema.nullable(),
  tensors: z.array(tensorEntrySchema),
});

/** One header problem as "field: what is wrong (found value)", with the tensor's name for a tensor entry. */
export function describeHeaderIssue(header: unknown, issue: z.core.$ZodIssue): string {
  const at = (value: unknown, key: PropertyKey): unknown => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined);
  const field = issue.path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
  const tensorName = issue.path[0] === 'tensors' && typeof issue.path[1] === 'number' ? at(at(at(header, 'tensors'), issue.path[1]), 'name') : undefined;
  const value = issue.path.reduce<unknown>(at, header);
  const where = `header field ${field || '(the header itself)'}${typeof tensorName === 'string' ? ` of tensor ${shorten(JSON.stringify(tensorName))}` : ''}`;
  const found = value === undefined ? 'missing' : `found ${shorten(JSON.stringify(value) ?? String(value))}`;
  return `${where}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)} (${found})`;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
