// The method registry: every method of the comparison by name, and the network dispatch the trainer, checkpoints and inference use.
import type { TrainingConfig } from '../trainingConfig.ts';
import type { ParamSpec } from '../unetPlan.ts';
import { aeMethod, saeMethod, vaeMethod } from './autoencoder/index.ts';
import { daeMethod } from './dae/index.ts';
import { ddpmMethod, pddpmMethod } from './diffusion/index.ts';
import { fanoganMethod } from './fanogan/index.ts';
import { mddpmMethod } from './mddpm/index.ts';
import { svaeMethod } from './svae/index.ts';
import { threshMethod } from './thresh/index.ts';
import type { MethodDescription, MethodName, MethodNetwork, MethodOptions } from './types.ts';
import { freshWeights } from './weightStore.ts';

/** Every method, in the paper's table order. */
export const METHODS: Readonly<Record<MethodName, MethodDescription>> = {
  thresh: threshMethod,
  ae: aeMethod,
  sae: saeMethod,
  vae: vaeMethod,
  svae: svaeMethod,
  dae: daeMethod,
  fanogan: fanoganMethod,
  ddpm: ddpmMethod,
  mddpm: mddpmMethod,
  pddpm: pddpmMethod,
};

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function methodDescription(name: MethodName): MethodDescription {
  return METHODS[name];
}

/** The description of the method a config belongs to. */
export function methodOf(config: Pick<TrainingConfig, 'method'>): MethodDescription {
  return METHODS[config.method];
}

/** The options a config was built with, read back from its settings (so from any checkpoint, older ones included). */
export function methodOptionsOf(config: Pick<TrainingConfig, 'method' | 'baseline'>): MethodOptions {
  const settings = config.baseline;
  if (config.method === 'vae') return { vaeVariant: settings?.kind === 'upd-vae' ? 'upd' : 'baur' };
  if (settings?.kind === 'fanogan') return { ganSteps: settings.ganSteps };
  if (settings?.kind === 'thresh') return { equalize: settings.equalize };
  return {};
}

/** The weights (names, shapes, initialisation) of a config's network(s). */
export function methodParamSpecs(config: TrainingConfig): ParamSpec[] {
  return methodOf(config).paramSpecs(config);
}

/** A network from saved weights. */
export function networkFromWeights(config: TrainingConfig, weights: ReadonlyMap<string, Float32Array>): MethodNetwork {
  return methodOf(config).build(config, weights);
}

/**
 * A freshly initialised network; the same seed gives the same weights. The diffusion U-Net keeps its own seeded
 * stream ('unet-init'), so its initial weights are those of every earlier fqlab.
 */
export function createNetwork(config: TrainingConfig, seed: number): MethodNetwork {
  const stream = config.unet !== null ? 'unet-init' : `${config.method}-init`;
  return networkFromWeights(config, freshWeights(methodParamSpecs(config), stream, seed));
}
