// Reads the repeated --map/--seg pairs of the metrics and threshold commands into scored volumes.
import { labelsFromSegmentation, type ScoredVolume } from '../core/metrics/index.ts';
import type { Dims3 } from '../core/volume.ts';
import { stringList, UsageError, type ParsedFlags } from './args.ts';
import { readVolumeFile, requireSameGrid } from './io.ts';

export interface ScoredVolumeFile extends ScoredVolume {
  mapPath: string;
  segPath: string;
  dims: Dims3;
}

/** The i-th --map is paired with the i-th --seg; both must share a grid. */
export function readScoredVolumes(flags: ParsedFlags): ScoredVolumeFile[] {
  const maps = stringList(flags, 'map');
  const segs = stringList(flags, 'seg');
  if (maps.length === 0) throw new UsageError('give at least one --map with its --seg');
  if (maps.length !== segs.length) {
    throw new UsageError(`got ${maps.length} --map but ${segs.length} --seg; give one --seg after each --map`);
  }
  return maps.map((mapPath, i) => {
    const segPath = segs[i];
    const map = readVolumeFile(mapPath);
    const seg = readVolumeFile(segPath);
    requireSameGrid(map, mapPath, seg, segPath);
    return {
      mapPath,
      segPath,
      dims: map.volume.dims,
      scores: map.volume.data,
      labels: labelsFromSegmentation(seg.volume.data),
    };
  });
}
