// `fqlab metrics`: per-volume and mean AUPRC, AUROC, oracle best Dice and (with a threshold) Dice after the component filter.
import { evaluateVolume, summarize } from '../../core/metrics/index.ts';
import { numberFlag, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { readScoredVolumes } from '../scoredVolumes.ts';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: 'AUPRC, AUROC, best Dice (oracle) and thresholded Dice of anomaly maps against segmentations.',
  usage:
    '--map M --seg S [--map M2 --seg S2 ...] [--threshold T]\n' +
    '  Maps are scored as given (post-process them first). With --threshold, Dice is computed after\n' +
    '  removing 3D connected components of 7 voxels or fewer. Volumes without lesion voxels report null.',
  options: {
    map: { type: 'string', multiple: true },
    seg: { type: 'string', multiple: true },
    threshold: { type: 'string' },
  },
  run(flags: ParsedFlags) {
    const threshold = flags.threshold === undefined ? undefined : numberFlag(flags, 'threshold', 0);
    const volumes = readScoredVolumes(flags).map((volume) => ({
      map: volume.mapPath,
      seg: volume.segPath,
      ...evaluateVolume(volume.scores, volume.labels, volume.dims, threshold),
    }));
    return {
      threshold: threshold ?? null,
      volumes: volumes.map(({ bestDice, ...rest }) => ({ ...rest, bestDiceOracle: bestDice })),
      mean: {
        auprc: summarize(volumes.map((v) => v.auprc)),
        auroc: summarize(volumes.map((v) => v.auroc)),
        bestDiceOracle: summarize(volumes.map((v) => v.bestDice)),
        dice: summarize(volumes.map((v) => v.dice)),
      },
    };
  },
};
