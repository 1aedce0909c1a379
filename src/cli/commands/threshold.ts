// `fqlab threshold`: the Dice-optimal threshold on pooled validation volumes (reference search or exact).
import { exactBestDiceThreshold, referenceThresholdSearch } from '../../core/metrics/index.ts';
import { choiceFlag, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { readScoredVolumes } from '../scoredVolumes.ts';

export const thresholdCommand: Command = {
  name: 'threshold',
  summary: 'Choose a threshold on (validation) volumes: the reference 10-round search or the exact best Dice.',
  usage:
    '--map M --seg S [--map M2 --seg S2 ...] [--method reference|exact]\n' +
    '  Voxels of all volumes are pooled; Dice here is without the connected-component filter, as in the reference.',
  options: {
    map: { type: 'string', multiple: true },
    seg: { type: 'string', multiple: true },
    method: { type: 'string' },
  },
  run(flags: ParsedFlags) {
    const method = choiceFlag(flags, 'method', ['reference', 'exact'] as const, 'reference');
    const volumes = readScoredVolumes(flags);
    const threshold = method === 'reference' ? referenceThresholdSearch(volumes) : exactBestDiceThreshold(volumes);
    return {
      method,
      threshold: threshold.value,
      pooledDice: threshold.pooledDice ?? null,
      source: threshold.source,
      volumes: volumes.map((v) => ({ map: v.mapPath, seg: v.segPath })),
    };
  },
};
