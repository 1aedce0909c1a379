// `fqlab postprocess`: mask an anomaly map with the slice-wise eroded brain mask, then 3D median filter it.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import { postprocessMap } from '../../core/postprocess/index.ts';
import { integerFlag, requiredString, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { encodeVolume, readVolumeFile, requireSameGrid } from '../io.ts';
import { mapSummary } from '../mapSummary.ts';
import type { PendingOutputs } from '../outputs.ts';

export const postprocessCommand: Command = {
  name: 'postprocess',
  summary: 'Erode the brain mask slice by slice, mask the map with it, then median filter in 3D.',
  usage: `--map M --brain-mask B --out F [--erosion ${PAPER_PROTOCOL.postprocess.brainMaskErosions}] [--median ${PAPER_PROTOCOL.postprocess.medianSize}]   (0 disables a step)`,
  options: {
    map: { type: 'string' },
    'brain-mask': { type: 'string' },
    out: { type: 'string' },
    erosion: { type: 'string' },
    median: { type: 'string' },
  },
  run(flags: ParsedFlags, outputs: PendingOutputs) {
    const mapPath = requiredString(flags, 'map');
    const maskPath = requiredString(flags, 'brain-mask');
    const outPath = requiredString(flags, 'out');
    const erosionIterations = integerFlag(flags, 'erosion', PAPER_PROTOCOL.postprocess.brainMaskErosions, 0, 50);
    const medianSize = integerFlag(flags, 'median', PAPER_PROTOCOL.postprocess.medianSize, 0, 15);
    if (medianSize !== 0 && medianSize % 2 === 0) throw new UsageError('--median must be odd or 0');
    outputs.file(outPath);
    const map = readVolumeFile(mapPath);
    const mask = readVolumeFile(maskPath);
    requireSameGrid(map, mapPath, mask, maskPath);

    const processed = postprocessMap(map.volume.data, mask.volume.data, map.volume.dims, { erosionIterations, medianSize });
    outputs.write(outPath, encodeVolume(outPath, { ...map.volume, data: processed }, { datatype: 'float32' }));
    return { map: mapPath, brainMask: maskPath, erosionIterations, medianSize, out: outPath, summary: mapSummary(processed) };
  },
};
