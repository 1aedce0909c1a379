// AIR statistics and transform (SPEC 2) against numpy references from scripts/fixtures/conform.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { airStatistics, airTransform, airValue, resolveAir, type AirStatistics } from '../../src/core/air.ts';

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

describe('resolveAir', () => {
  const bright: AirStatistics = { muNormal: 0.6, muAnomalous: null, air: null, suggested: true };
  const dark: AirStatistics = { muNormal: 0.3, muAnomalous: null, air: null, suggested: false };
  it('follows the suggestion in auto and the user otherwise', () => {
    expect(resolveAir('auto', bright)).toBe(true);
    expect(resolveAir('auto', dark)).toBe(false);
    expect(resolveAir('on', dark)).toBe(true);
    expect(resolveAir('off', bright)).toBe(false);
  });
});
