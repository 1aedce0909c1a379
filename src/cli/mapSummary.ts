// Summary statistics of an anomaly map for CLI output (mean, max, non-zero voxel count).
export interface MapSummary {
  mean: number;
  max: number;
  nonZeroVoxels: number;
}

export function mapSummary(map: Float32Array): MapSummary {
  let sum = 0;
  let max = -Infinity;
  let nonZeroVoxels = 0;
  for (let i = 0; i < map.length; i++) {
    const value = map[i];
    sum += value;
    if (value > max) max = value;
    if (value !== 0) nonZeroVoxels++;
  }
  return { mean: map.length ? sum / map.length : 0, max: map.length ? max : 0, nonZeroVoxels };
}
