// AIR statistics and transform (SPEC 2) against numpy references from scripts/fixtures/conform.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AIR_BY_MODALITY,
  airForModality,
  airStatistics,
  airStatsMargin,
  airTransform,
  airValue,
  pooledAirStatistics,
  resolveAir,
  upgradeAirMode,
  type AirStatistics,
} from '../../src/core/air.ts';
import { FqlabError } from '../../src/core/errors.ts';
import { MODALITIES } from '../../src/core/modality.ts';

interface AirFixture {
  file: string;
  arrays: Record<string, [number, number]>;
  cases: { name: string; image: string; seg: string | null; expected: AirStatistics }[];
}

const FIXTURES = new URL('../fixtures/conform/', import.meta.url);
const fixture = (JSON.parse(readFileSync(new URL('manifest.json', FIXTURES), 'utf8')) as { air: AirFixture }).air;
const bytes = readFileSync(new URL(fixture.file, FIXTURES));
const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const get = (key: string): Float32Array => {
  const [offset, length] = fixture.arrays[key];
  return all.slice(offset, offset + length);
};

describe('airStatistics', () => {
  for (const c of fixture.cases) {
    it(`matches numpy: ${c.name}`, () => {
      const stats = airStatistics(get(c.image), get('mask'), c.seg ? get(c.seg) : null);
      expect(stats.muNormal).toBeCloseTo(c.expected.muNormal, 9);
      expect(stats.suggested).toBe(c.expected.suggested);
      if (c.expected.muAnomalous === null) {
        expect(stats.muAnomalous).toBeNull();
        expect(stats.air).toBeNull();
      } else {
        expect(stats.muAnomalous).toBeCloseTo(c.expected.muAnomalous, 9);
        expect(stats.air).toBeCloseTo(c.expected.air ?? NaN, 9);
      }
    });
  }

  it('has muNormal 0 and no suggestion when there is no normal brain voxel', () => {
    const stats = airStatistics(Float32Array.from([0.9, 0.8]), [0, 0]);
    expect(stats).toEqual({ muNormal: 0, muAnomalous: null, air: null, suggested: false });
  });
});

describe('airValue', () => {
  it('is max / min of the two means, symmetric', () => {
    expect(airValue(0.2, 0.6)).toBeCloseTo(3, 12);
    expect(airValue(0.6, 0.2)).toBeCloseTo(3, 12);
    expect(airValue(0.5, 0.5)).toBe(1);
  });
  it('is Infinity for a zero mean and 1 for two zero means (no NaN)', () => {
    expect(airValue(0, 0.4)).toBe(Infinity);
    expect(airValue(0, 0)).toBe(1);
  });
});

describe('airTransform', () => {
  for (const key of ['image', 'bright']) {
    it(`matches x * (1 - m) + (1 - x) * m in numpy float32 (${key})`, () => {
      const out = airTransform(get(key), get('mask'));
      expect(Array.from(out)).toEqual(Array.from(get(`transform.${key}`)));
    });
  }
  it('works in place and leaves background untouched', () => {
    const image = Float32Array.from([0.25, 0.5, 1, 0]);
    const result = airTransform(image, [1, 0, 2, 1], image);
    expect(result).toBe(image);
    expect(Array.from(image)).toEqual([0.75, 0.5, 0, 1]);
  });
});

describe('the per-modality AIR rule (the reference default)', () => {
  it('inverts T1, T1CE and FLAIR and leaves T2 and PD', () => {
    expect(MODALITIES.filter(airForModality)).toEqual(['T1', 'FLAIR', 'T1CE']);
    expect(Object.keys(AIR_BY_MODALITY).sort()).toEqual([...MODALITIES].sort());
  });
});

describe('resolveAir', () => {
  const bright: AirStatistics = { muNormal: 0.6, muAnomalous: null, air: null, suggested: true };
  const dark: AirStatistics = { muNormal: 0.3, muAnomalous: null, air: null, suggested: false };
  it('follows the modality in modality mode, whatever the statistics say', () => {
    expect(resolveAir('modality', dark, ['T1'])).toBe(true);
    expect(resolveAir('modality', bright, ['T2'])).toBe(false);
    expect(resolveAir('modality', dark, ['FLAIR', 'T1CE', 'T1'])).toBe(true);
    expect(resolveAir('modality', bright, ['PD', 'T2'])).toBe(false);
  });
  it('follows the statistics in stats mode and the user otherwise', () => {
    expect(resolveAir('stats', bright, ['T2'])).toBe(true);
    expect(resolveAir('stats', dark, ['T1'])).toBe(false);
    expect(resolveAir('on', dark, ['T2'])).toBe(true);
    expect(resolveAir('off', bright, ['T1'])).toBe(false);
  });
  it('refuses modality mode when the modalities disagree or are unknown, naming the training set', () => {
    expect(() => resolveAir('modality', dark, ['T1', 'T2'])).toThrow(FqlabError);
    expect(() => resolveAir('modality', dark, ['T1', 'T2'])).toThrow(/training set: .*T1 \(AIR on\), T2 \(AIR off\)/);
    expect(() => resolveAir('modality', dark, [])).toThrow(/needs the modality/);
  });
});

describe('old AIR modes and the statistics margin', () => {
  it("reads the old 'auto' as 'stats' and keeps every current mode", () => {
    expect(upgradeAirMode('auto')).toBe('stats');
    for (const mode of ['modality', 'stats', 'on', 'off'] as const) expect(upgradeAirMode(mode)).toBe(mode);
  });
  it('gives the signed distance to 0.5 and warns strictly within 0.05 of it', () => {
    expect(airStatsMargin(0.62).margin).toBeCloseTo(0.12, 12);
    expect(airStatsMargin(0.62).nearThreshold).toBe(false);
    expect(airStatsMargin(0.47)).toEqual({ margin: expect.closeTo(-0.03, 12) as number, nearThreshold: true });
    expect(airStatsMargin(0.54).nearThreshold).toBe(true);
    expect(airStatsMargin(0.44).nearThreshold).toBe(false);
  });
});

describe('pooledAirStatistics', () => {
  it('weights each mean by its voxels, ignores cases without anomalies for muAnomalous, and decides on the pooled muNormal', () => {
    const pooled = pooledAirStatistics([
      { muNormal: 0.6, normalVoxels: 100, muAnomalous: 0.2, anomalousVoxels: 10 },
      { muNormal: 0.3, normalVoxels: 300, muAnomalous: null, anomalousVoxels: 0 },
      { muNormal: 0.9, normalVoxels: 100, muAnomalous: 0.5, anomalousVoxels: 30 },
    ]);
    expect(pooled.muNormal).toBeCloseTo((60 + 90 + 90) / 500, 12);
    expect(pooled.muAnomalous).toBeCloseTo((2 + 15) / 40, 12);
    expect(pooled.air).toBeCloseTo(airValue(17 / 40, 0.48), 12);
    expect(pooled.suggested).toBe(false);
  });
  it('agrees with airStatistics on one case', () => {
    const image = Float32Array.from([0.2, 0.7, 0.9, 0.4]);
    const one = airStatistics(image, [1, 1, 1, 0], [0, 0, 1, 0]);
    expect(pooledAirStatistics([{ muNormal: one.muNormal, normalVoxels: 2, muAnomalous: one.muAnomalous, anomalousVoxels: 1 }])).toEqual(one);
  });
});
