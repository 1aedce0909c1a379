// What each registered method offers (presets, parameter counts, forward cost), as the Model panel and `fqlab info` show it.
import { METHOD_NAMES, methodDescription, unetForwardFlops, VAE_VARIANTS, type MethodName, type MethodOptions, type UNetPresetName, type VaeVariant } from '../engine/index.ts';

/** One preset of a method as the Model panel offers it: the registry's parameter count and, for U-Net methods, forward cost. */
export interface MethodPresetSummary {
  preset: UNetPresetName;
  /** Trainable parameters of all its networks (PyTorch's count), as `fqlab info` prints. */
  parameters: number;
  /** GFLOP of one forward pass on a 96x96 slice (U-Net methods; null for the others, whose cost the registry does not state). */
  gflopPerSlice: number | null;
}

/** One method of the registry as the Model panel describes it (`fqlab info` for every method and preset). */
export interface MethodSummary {
  name: MethodName;
  label: string;
  source: string;
  /** The benchmark's own code was never published: this follows the closest public reference. */
  surrogate: boolean;
  /** Whether it has weights to train (thresh does not: its model exists at once). */
  trains: boolean;
  presets: MethodPresetSummary[];
  /** The vae's variants (Baur's first) with their presets' sizes; absent for the other methods. */
  variants?: { variant: VaeVariant; presets: MethodPresetSummary[] }[];
  /** What its batch counts (svae trains on whole volumes) and the method's default batch in that unit. */
  batchUnit: 'slices' | 'volumes';
  defaultBatch: number;
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
