// Cosine schedule against the numpy reference; seeded RNG, Gaussian and simplex noise: determinism and statistics.
import { describe, expect, it } from 'vitest';
import { cosineSchedule, MAX_BETA, MAX_DIFFUSION_STEPS, noiseBatch, noiseField, Rng, seededNoise3D, simplexField } from '../../src/engine/index.ts';
import { readJson } from './fixtures.ts';

function stats(a: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    s2 += a[i] * a[i];
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

describe('cosine schedule', () => {
  it('matches improved-diffusion (numpy) betas and alpha_bar', () => {
    const ref = readJson<{ t: number[]; betas: number[]; alphaBar: number[]; maxBeta: number }>('schedule.json');
    const s = cosineSchedule();
    expect(s.steps).toBe(1000);
    ref.t.forEach((t, i) => {
      expect(s.betas[t]).toBeCloseTo(ref.betas[i], 12);
      expect(s.alphaBar[t]).toBeCloseTo(ref.alphaBar[i], 12);
      expect(s.sqrtAlphaBar[t] ** 2 + s.sqrtOneMinusAlphaBar[t] ** 2).toBeCloseTo(1, 12);
    });
    expect(Math.max(...s.betas)).toBe(MAX_BETA);
    expect(ref.maxBeta).toBe(MAX_BETA);
  });

  it('refuses step counts that would allocate gigabytes or nothing, before allocating', () => {
    for (const steps of [2e9, MAX_DIFFUSION_STEPS + 1, 0, -1, 2.5, Number.NaN]) {
      expect(() => cosineSchedule(steps)).toThrow(/cosineSchedule: steps must be an integer in 1 \.\. 100000/);
    }
    expect(() => cosineSchedule(10, Number.NaN)).toThrow(/offset s must be finite/);
    expect(cosineSchedule(MAX_DIFFUSION_STEPS).steps).toBe(MAX_DIFFUSION_STEPS);
  });
});

describe('Rng', () => {
  it('reproduces a stream from a seed and resumes exactly from a saved state', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const first = Array.from({ length: 5 }, () => a.normal());
    expect(Array.from({ length: 5 }, () => b.normal())).toEqual(first);
    const saved = a.state();
    const next = [a.next(), a.normal(), a.int(7), a.normal()];
    const resumed = Rng.fromState(JSON.parse(JSON.stringify(saved)));
    expect([resumed.next(), resumed.normal(), resumed.int(7), resumed.normal()]).toEqual(next);
  });

  it('draws standard normals', () => {
    const s = stats(new Rng(3).fillNormal(new Float32Array(200_000)));
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.01);
  });
});

describe('noise', () => {
  it('simplex fields are deterministic per seed and differ between seeds', () => {
    const a = noiseField('simplex', new Rng(1), 499, 96, 96);
    const b = noiseField('simplex', new Rng(1), 499, 96, 96);
    const c = noiseField('simplex', new Rng(2), 499, 96, 96);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('simplex fields: 6 octaves with persistence 0.8, zero mean, bounded, spatially smooth', () => {
    // Bound: sum of amplitudes 1 + 0.8 + ... + 0.8^5.
    const bound = (1 - 0.8 ** 6) / 0.2;
    const all: number[] = [];
    let lagCorrelation = 0;
    for (let seed = 0; seed < 20; seed++) {
      const f = noiseField('simplex', new Rng(seed), 100 + 40 * seed, 96, 96);
      all.push(...f);
      const s = stats(f);
      let c = 0;
      for (let y = 0; y < 96; y++) for (let x = 0; x < 95; x++) c += (f[y * 96 + x] - s.mean) * (f[y * 96 + x + 1] - s.mean);
      lagCorrelation += c / (96 * 95) / (s.std * s.std) / 20;
    }
    const s = stats(all);
    expect(Math.abs(s.mean)).toBeLessThan(0.15);
    expect(s.std).toBeGreaterThan(0.5);
    expect(s.std).toBeLessThan(1.5);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    // Base period 64 px: neighbouring pixels are strongly correlated (white noise: ~0).
    expect(lagCorrelation).toBeGreaterThan(0.8);
  });

  it('the octave sum is the reference loop (frequency halves, amplitude x 0.8)', () => {
    const noise3D = seededNoise3D(new Rng(9));
    const field = simplexField(noise3D, 250, 8, 8);
    let expected = 0;
    let freq = 64;
    let amp = 1;
    for (let o = 0; o < 6; o++) {
      expected += noise3D(5 / freq, 3 / freq, 250 / freq) * amp;
      amp *= 0.8;
      freq *= 0.5;
    }
    expect(field[3 * 8 + 5]).toBeCloseTo(expected, 6);
  });

  it('a simplex batch shares one field; a Gaussian batch is independent per slice', () => {
    const simplex = noiseBatch('simplex', new Rng(4), [10, 20, 30], 16, 16);
    expect(Array.from(simplex.subarray(0, 256))).toEqual(Array.from(simplex.subarray(512, 768)));
    const gauss = noiseBatch('gaussian', new Rng(4), [10, 20], 16, 16);
    expect(Array.from(gauss.subarray(0, 256))).not.toEqual(Array.from(gauss.subarray(256, 512)));
  });
});
