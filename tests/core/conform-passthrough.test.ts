// Tests that already conformed volumes are accepted as they are, with an identity mapping back, and raw scans refused.
import { describe, expect, it } from 'vitest';
import { acceptConformed, conformVolumes, mapToInputGrid } from '../../src/core/conform/index.ts';
import { FqlabError } from '../../src/core/errors.ts';
import type { Dims3, Volume } from '../../src/core/volume.ts';

function volume(dims: Dims3, value: (i: number, j: number, k: number) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = value(i, j, k);
  const affine = Float64Array.from([-1, 0, 0, 90, 0, 1, 0, -120, 0, 0, 1.2, -60, 0, 0, 0, 1]);
  return { dims, data, affine, spacing: [1, 1, 1.2] };
}

const head = (i: number, j: number, k: number) => ((i - 110) / 80) ** 2 + ((j - 120) / 90) ** 2 + ((k - 60) / 45) ** 2 <= 1;

describe('acceptConformed', () => {
  const raw = volume([220, 240, 120], (i, j, k) => (head(i, j, k) ? 50 + ((i * 7 + j * 3 + k) % 40) : 0));
  const seg = volume([220, 240, 120], (i, j, k) => ((i - 100) ** 2 + (j - 120) ** 2 + (k - 60) ** 2 < 100 ? 2 : 0));
  const once = conformVolumes({ image: raw, seg, fileName: 'raw.nii.gz' });

  it('keeps a conformed volume, its mask and seg unchanged, with the same statistics', () => {
    const again = acceptConformed({ image: once.image, brainMask: once.brainMask, seg: once.seg ?? undefined, fileName: 'conformed.nii.gz' });
    expect(Array.from(again.image.data)).toEqual(Array.from(once.image.data));
    expect(Array.from(again.brainMask.data)).toEqual(Array.from(once.brainMask.data));
    expect(again.seg?.data).toBe(once.seg?.data);
    expect(again.stats.brainVoxels).toBe(once.stats.brainVoxels);
    expect(again.stats.meanBrainIntensity).toBeCloseTo(once.stats.meanBrainIntensity, 6);
    expect(again.stats.air.muAnomalous).toBeCloseTo(once.stats.air.muAnomalous ?? Number.NaN, 6);
    // Prepared elsewhere: never smoothed again (the raw scan was, when it was conformed).
    expect(once.stats.smoothing).not.toBeNull();
    expect(again.stats.smoothing).toBeNull();
  });

  it('maps back onto its own grid as the identity', () => {
    const again = acceptConformed({ image: once.image, fileName: 'conformed.nii.gz' });
    for (const interpolation of ['linear', 'nearest'] as const) {
      const back = mapToInputGrid(again.image, again.mapping, interpolation);
      expect(back.dims).toEqual([96, 96, 50]);
      expect(Array.from(back.affine)).toEqual(Array.from(once.image.affine));
      expect(Array.from(back.data)).toEqual(Array.from(once.image.data));
    }
  });

  it('refuses raw scans and volumes outside [0, 1], naming the file', () => {
    expect(() => acceptConformed({ image: raw, fileName: 'raw.nii.gz' })).toThrow(/raw\.nii\.gz.*not an already conformed 96x96x50/);
    const scaled = { ...once.image, data: once.image.data.map((v) => v * 3) };
    expect(() => acceptConformed({ image: scaled, fileName: 'scaled.nii.gz' })).toThrow(FqlabError);
    const wrongMask = volume([96, 96, 49], () => 1);
    expect(() => acceptConformed({ image: once.image, brainMask: wrongMask, fileName: 'c.nii.gz', brainMaskFileName: 'm.nii.gz' })).toThrow(/m\.nii\.gz/);
  });
});
