// Curvature-flow smoothing (SPEC 1 step 0) against ITK's own CurvatureFlowImageFilter (scripts/fixtures/curvature_flow.cxx).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CURVATURE_FLOW_REFERENCE, curvatureFlow } from '../../src/core/conform/curvatureFlow.ts';
import { FqlabError } from '../../src/core/errors.ts';
import type { Volume } from '../../src/core/volume.ts';

type Triple = [number, number, number];

interface CurvatureFlowCase {
  name: string;
  dims: Triple;
  spacing: Triple;
  timeStep: number;
  iterations: number;
  input: [number, number];
  output: [number, number];
}

const dir = new URL('../fixtures/smoothing/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as { file: string; cases: CurvatureFlowCase[] };
const bytes = readFileSync(new URL(manifest.file, dir));
const blob = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const slice = ([offset, length]: [number, number]): Float32Array => blob.slice(offset, offset + length);

function volumeOf(c: CurvatureFlowCase, data: Float32Array): Volume {
  const affine = new Float64Array([c.spacing[0], 0, 0, 0, 0, c.spacing[1], 0, 0, 0, 0, c.spacing[2], 0, 0, 0, 0, 1]);
  return { dims: c.dims, data, affine, spacing: c.spacing };
}

describe('curvatureFlow against ITK 5.2 CurvatureFlowImageFilter<Image<float, 3>, Image<double, 3>> (as SimpleITK runs it)', () => {
  it.each(manifest.cases.map((c) => [c.name, c] as const))('%s matches ITK to 1e-5 (relative above 1)', (_name, c) => {
    const input = slice(c.input);
    const expected = slice(c.output);
    const result = curvatureFlow(volumeOf(c, input), { timeStep: c.timeStep, iterations: c.iterations });
    let worst = 0;
    for (let p = 0; p < expected.length; p++) {
      worst = Math.max(worst, Math.abs(result.data[p] - expected[p]) / Math.max(1, Math.abs(expected[p])));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
    // The fixture is not trivially met: smoothing moved the values by far more than the tolerance.
    const moved = input.reduce((m, v, p) => Math.max(m, Math.abs(v - expected[p])), 0);
    expect(moved).toBeGreaterThan(0.01);
  });

  it('leaves the input untouched and keeps the grid', () => {
    const c = manifest.cases[0];
    const input = slice(c.input);
    const copy = input.slice();
    const volume = volumeOf(c, input);
    const result = curvatureFlow(volume);
    expect(input).toEqual(copy);
    expect(result.dims).toEqual(volume.dims);
    expect(result.affine).toBe(volume.affine);
    expect(result.data).not.toBe(input);
  });

  it('uses the reference parameters by default and is the identity with 0 iterations', () => {
    expect(CURVATURE_FLOW_REFERENCE).toEqual({ timeStep: 0.125, iterations: 3 });
    const c = manifest.cases[0];
    const input = slice(c.input);
    expect(curvatureFlow(volumeOf(c, input), { timeStep: 0.125, iterations: 0 }).data).toEqual(input);
  });

  it('refuses a non-positive time step or a fractional iteration count, naming the file', () => {
    const volume = volumeOf(manifest.cases[0], slice(manifest.cases[0].input));
    expect(() => curvatureFlow(volume, { timeStep: 0, iterations: 3 }, 'a.nii.gz')).toThrow(FqlabError);
    expect(() => curvatureFlow(volume, { timeStep: 0.125, iterations: 1.5 }, 'a.nii.gz')).toThrow(/a\.nii\.gz: .*whole number of iterations/);
  });
});
