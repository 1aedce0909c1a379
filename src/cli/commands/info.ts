// `fqlab info`: what a method is, its presets and the parameter count of each of its networks (PyTorch's count: trainable only).
import { unetForwardFlops } from '../../engine/index.ts';
import type { ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { METHOD_FLAG, METHOD_OPTION_FLAGS, METHOD_OPTION_USAGE, METHOD_USAGE, methodFlag, methodOptionsFlag, presetFlag } from '../methodFlags.ts';

export const infoCommand: Command = {
  name: 'info',
  summary: 'Describe a method: its source, presets and parameter counts.',
  usage:
    '[--method M] [--preset P] [--vae-variant baur|upd]\n' +
    METHOD_USAGE +
    METHOD_OPTION_USAGE +
    '  --preset: one of the method\'s presets (default paper, the reference size). Prints the method, preset, trainable\n' +
    '  parameters (BatchNorm running statistics excluded, as PyTorch counts) and each network\'s count.',
  options: { ...METHOD_FLAG, ...METHOD_OPTION_FLAGS, preset: { type: 'string' } },
  run(flags: ParsedFlags) {
    const method = methodFlag(flags);
    const preset = presetFlag(flags, method, 'paper');
    const options = methodOptionsFlag(flags, method);
    const config = method.trainingConfig(preset, {}, options);
    const networks = method.networks(config);
    return {
      method: method.name,
      label: method.label,
      source: method.source,
      preset,
      ...options,
      presets: method.presets,
      trains: method.trains,
      defaultScore: method.defaultScore,
      parameters: networks.reduce((n, net) => n + net.parameters, 0),
      networks,
      ...(config.unet !== null ? { gflopPerSliceForward: unetForwardFlops(config.unet) / 1e9 } : {}),
    };
  },
};
