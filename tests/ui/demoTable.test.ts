// The demo table's settings and text (seed count, seed order, row names, mean ± std) and the side-by-side slice drawing.
import { describe, expect, it } from 'vitest';
import { relativeChangeText, rowLabel, scoreMapLayer, seedSummaryText } from '../../src/ui/comparisonTable.ts';
import { DEMO_TABLE_SEEDS, demoTableSeedCount, tableSeedOrder } from '../../src/ui/demo/demoSettings.ts';
import { MAP_COLORMAP_TABLE } from '../../src/ui/viewer/layerStyles.ts';
import { mapColormapLut, renderSlice } from '../../src/ui/viewer/sliceRender.ts';
import type { ModelInfo } from '../../workers/api.ts';

describe('demo table settings', () => {
  it('uses 3 seeds unless the address asks for 1 to 10', () => {
    expect(DEMO_TABLE_SEEDS).toBe(3);
    expect(demoTableSeedCount('')).toBe(3);
    expect(demoTableSeedCount('?tableSeeds=2')).toBe(2);
    for (const bad of ['?tableSeeds=0', '?tableSeeds=11', '?tableSeeds=1.5', '?tableSeeds=x']) expect(demoTableSeedCount(bad)).toBe(3);
  });

  it('works the analysis seed first when it is one of the table\'s (its reconstructions are cached)', () => {
    expect(tableSeedOrder(3, 1)).toEqual([1, 0, 2]);
    expect(tableSeedOrder(3, 0)).toEqual([0, 1, 2]);
    expect(tableSeedOrder(2, 5)).toEqual([0, 1]);
  });
});

describe('comparison table text', () => {
  const methods = [{ name: 'pddpm' as const, label: 'pDDPM' }];
  const row = (loss: 'l1' | 'fq', score: 'l1' | 'fq') => ({ info: { method: 'pddpm', loss } as ModelInfo, score });

  it('names a row by its method, "-IQA" only for FQ loss with the FQ score', () => {
    expect(rowLabel(row('fq', 'fq'), methods)).toBe('pDDPM-IQA');
    expect(rowLabel(row('fq', 'l1'), methods)).toBe('pDDPM');
    expect(rowLabel({ info: { method: 'thresh', loss: 'l1' } as ModelInfo, score: 'l1' }, methods)).toBe('thresh');
  });

  it('writes mean ± std in %, the mean alone for one seed, and the relative change with its sign', () => {
    expect(seedSummaryText({ mean: 0.4444, std: 0.0123, n: 3 })).toBe('44.4 ± 1.2');
    expect(seedSummaryText({ mean: 0.4444, std: 0, n: 1 })).toBe('44.4');
    expect(seedSummaryText({ mean: null, std: null, n: 0 })).toBe('–');
    expect(relativeChangeText(-0.5)).toBe(' (-50.0 %)');
    expect(relativeChangeText(0.123)).toBe(' (+12.3 %)');
    expect(relativeChangeText(null)).toBe('');
    expect(scoreMapLayer('ssim')).toBe('ssim-loss');
    expect(scoreMapLayer('fq')).toBe('fq');
  });
});

describe('side-by-side slice drawing', () => {
  it('builds the map colormap through its nodes', () => {
    const lut = mapColormapLut();
    const { I, R, A } = MAP_COLORMAP_TABLE;
    I.forEach((index, n) => {
      expect(lut[index * 4]).toBe(R[n]);
      expect(lut[index * 4 + 3]).toBe(A[n]);
    });
  });

  it('draws anterior up, the scan in grey, the map in colour over it, and the lesion border in green', () => {
    const dims = [4, 4, 2] as const;
    const image = new Float32Array(32).fill(0.5);
    const map = new Float32Array(32);
    const seg = new Float32Array(32);
    // Slice 1: a map hot spot at (i, j) = (0, 3), a 2x2 lesion at i, j in 1..2.
    map[16 + 3 * 4 + 0] = 1;
    for (const [i, j] of [[1, 1], [2, 1], [1, 2], [2, 2]]) seg[16 + j * 4 + i] = 1;
    const pixels = renderSlice({ dims, image, map, seg }, 1, { image: { min: 0, max: 1 }, map: { min: 0, max: 1 } }, mapColormapLut());
    const at = (x: number, y: number) => Array.from(pixels.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    // j = 3 is the top row; the hot spot is the colormap's top (yellowish), blended over grey at 0.85 of its alpha.
    expect(at(0, 0)[0]).toBeGreaterThan(200);
    expect(at(0, 0)[2]).toBeLessThan(at(0, 0)[0]);
    expect(at(3, 3)).toEqual([128, 128, 128, 255]);
    // Every voxel of a 2x2 lesion is on its border.
    expect(at(1, 1)).toEqual([0, 255, 0, 255]);
    expect(at(2, 2)).toEqual([0, 255, 0, 255]);
  });
});
