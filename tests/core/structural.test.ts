// MS-SSIM and GMS loss maps (the FQ map's other structural terms) against the float64 numpy reference in tests/fixtures/structural.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gmsLossMap, msSsimLossMap, ssimLossMap, structuralLossMap, STRUCTURAL_TERMS } from '../../src/core/quality/index.ts';
import type { Dims3 } from '../../src/core/volume.ts';
import { maxAbsDiff } from '../support/closeness.ts';

interface StructuralCase {
  name: string;
  dims: Dims3;
  x: number[];
  y: number[];
  msSsimLoss: number[];
  gmsLoss: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/structural/structural.json', import.meta.url), 'utf8')) as { cases: StructuralCase[] };


describe.each(fixture.cases.map((c) => [c.name, c] as const))('structural terms: %s', (_name, c) => {
  const x = Float32Array.from(c.x);
  const y = Float32Array.from(c.y);

  it('MS-SSIM loss matches the reference to 1e-5 and is 0 for identical slices', () => {
    expect(maxAbsDiff(msSsimLossMap(x, y, c.dims), c.msSsimLoss)).toBeLessThan(1e-5);
    expect(Math.max(...msSsimLossMap(x, x, c.dims))).toBeLessThan(1e-6);
  });

  it('GMS loss matches the reference to 1e-5 and is 0 for identical slices', () => {
    expect(maxAbsDiff(gmsLossMap(x, y, c.dims), c.gmsLoss)).toBeLessThan(1e-5);
    expect(Math.max(...gmsLossMap(x, x, c.dims))).toBeLessThan(1e-6);
  });
});

describe('structuralLossMap', () => {
  const c = fixture.cases[0];
  const x = Float32Array.from(c.x);
  const y = Float32Array.from(c.y);

  it('dispatches each term to its map; ssim is the SSIM loss', () => {
    expect(STRUCTURAL_TERMS).toEqual(['ssim', 'ms-ssim', 'gmsd']);
    expect(structuralLossMap('ssim', x, y, c.dims)).toEqual(ssimLossMap(x, y, c.dims));
    expect(structuralLossMap('ms-ssim', x, y, c.dims)).toEqual(msSsimLossMap(x, y, c.dims));
    expect(structuralLossMap('gmsd', x, y, c.dims)).toEqual(gmsLossMap(x, y, c.dims));
  });

  it('rejects a grid that does not match the data', () => {
    expect(() => msSsimLossMap(x, y, [3, 3, 3])).toThrow(RangeError);
    expect(() => gmsLossMap(x, y.subarray(1), c.dims)).toThrow(RangeError);
  });
});
