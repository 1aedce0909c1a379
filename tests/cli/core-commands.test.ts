// End-to-end tests of the foundation CLI commands (conform, quality, postprocess, metrics, threshold) on synthetic NIfTI files.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { averagePrecision, labelsFromSegmentation } from '../../src/core/metrics/index.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import { postprocessMap } from '../../src/core/postprocess/index.ts';
import { fqMap, gmsLossMap, l1Map, ssimLossMap } from '../../src/core/quality/index.ts';
import type { Dims3, Volume } from '../../src/core/volume.ts';
import { seededRandom } from '../support/seededRandom.ts';
import { runCli } from './run-cli.ts';
import { makeVolume, writeVolume } from './syntheticVolumes.ts';

let dir = '';
const write = (name: string, volume: Volume, datatype: 'float32' | 'uint8' = 'float32'): string => writeVolume(dir, name, volume, datatype);
const readBack = (path: string): Volume => readNifti(readFileSync(path), path).volume;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fqlab-cli-'));
});

describe('fqlab CLI', () => {
  it('prints help and refuses unknown commands and flags', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    for (const name of ['conform', 'quality', 'postprocess', 'metrics', 'threshold']) expect(help.stdout).toContain(name);
    expect(runCli(['quality', '--help']).stdout).toContain('--alpha');
    const unknown = runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    const badFlag = runCli(['quality', '--image', 'a.nii', '--bogus', '1']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('fails with one line naming the file on input that is not NIfTI', () => {
    const notNifti = join(dir, 'notes.nii');
    writeFileSync(notNifti, 'this is not a NIfTI file, just text that is long enough to look like a header'.repeat(8));
    const result = runCli(['quality', '--image', notNifti, '--recon', notNifti]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(notNifti);
    const missing = runCli(['quality', '--image', join(dir, 'missing.nii.gz'), '--recon', notNifti]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('missing.nii.gz');
  });

  it('conforms a synthetic head to 96x96x50 with statistics and an AIR suggestion', () => {
    const dims: Dims3 = [150, 170, 90];
    const inside = (i: number, j: number, k: number) =>
      ((i - 75) / 60) ** 2 + ((j - 85) / 70) ** 2 + ((k - 45) / 38) ** 2 <= 1;
    const image = write('head.nii.gz', makeVolume(dims, (i, j, k) => (inside(i, j, k) ? 100 + ((i + 2 * j + 3 * k) % 50) : 0)));
    const mask = write('head_brainmask.nii.gz', makeVolume(dims, (i, j, k) => (inside(i, j, k) ? 1 : 0)), 'uint8');
    const seg = write('head_seg.nii.gz', makeVolume(dims, (i, j, k) => (((i - 80) ** 2 + (j - 90) ** 2 + (k - 45) ** 2) < 64 ? 1 : 0)), 'uint8');
    const outDir = join(dir, 'conformed');
    const result = runCli(['conform', '--image', image, '--brain-mask', mask, '--seg', seg, '--out-dir', outDir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const summary = result.json() as { dims: number[]; stats: { meanBrainIntensity: number }; airSuggestion: string; outputs: Record<string, string> };
    expect(summary.dims).toEqual([96, 96, 50]);
    expect(summary.stats.meanBrainIntensity).toBeGreaterThan(0.2);
    expect(summary.stats.meanBrainIntensity).toBeLessThan(0.8);
    expect(['on', 'off']).toContain(summary.airSuggestion);
    const conformed = readBack(summary.outputs.image);
    expect(conformed.dims).toEqual([96, 96, 50]);
    expect(conformed.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(conformed.data.some((v) => v > 0.5)).toBe(true);
    expect(readBack(summary.outputs.seg).data.some((v) => v > 0)).toBe(true);
    // Smoothed as read by default, recorded in _conform.json and the image header; --no-smoothing skips it.
    const record = JSON.parse(readFileSync(summary.outputs.conform, 'utf8')) as { stats: { smoothing: unknown } };
    expect(record.stats.smoothing).toEqual({ timeStep: 0.125, iterations: 3 });
    expect(readNifti(readFileSync(summary.outputs.image), 'image').header.description).toBe('fqlab conformed image; curvature flow 0.125 x 3');
    const plainDir = join(dir, 'conformed-plain');
    const plain = runCli(['conform', '--image', image, '--brain-mask', mask, '--out-dir', plainDir, '--no-smoothing']);
    expect(plain.status).toBe(0);
    const plainSummary = plain.json() as { stats: { smoothing: unknown }; outputs: Record<string, string> };
    expect(plainSummary.stats.smoothing).toBeNull();
    expect(readNifti(readFileSync(plainSummary.outputs.image), 'image').header.description).toBe('fqlab conformed image; no smoothing');
    expect(Array.from(readBack(plainSummary.outputs.image).data)).not.toEqual(Array.from(conformed.data));
  });

  it('computes quality maps identical to the core and post-processes them', () => {
    const dims: Dims3 = [24, 20, 6];
    const random = seededRandom(7);
    const original = makeVolume(dims, () => random());
    const recon = makeVolume(dims, (i, j, k) => original.data[i + 24 * (j + 20 * k)] * 0.8 + 0.05);
    const imagePath = write('x.nii', original);
    const reconPath = write('y.nii.gz', recon);
    const outFq = join(dir, 'fq.nii.gz');
    const outSsim = join(dir, 'ssim.nii.gz');
    const result = runCli(['quality', '--image', imagePath, '--recon', reconPath, '--alpha', '0.5', '--out-fq', outFq, '--out-ssim', outSsim]);
    expect(result.status).toBe(0);
    const ssim = ssimLossMap(original.data, recon.data, dims);
    const expectedFq = fqMap(ssim, l1Map(original.data, recon.data), 0.5);
    expect(Array.from(readBack(outFq).data)).toEqual(Array.from(expectedFq));
    expect(Array.from(readBack(outSsim).data)).toEqual(Array.from(ssim));
    expect((result.json() as { alpha: number }).alpha).toBe(0.5);

    const maskPath = write('mask.nii.gz', makeVolume(dims, (i, j) => (i > 2 && i < 21 && j > 2 && j < 17 ? 1 : 0)), 'uint8');
    const outPost = join(dir, 'post.nii.gz');
    const post = runCli(['postprocess', '--map', outFq, '--brain-mask', maskPath, '--out', outPost, '--erosion', '1', '--median', '3']);
    expect(post.status).toBe(0);
    const expectedPost = postprocessMap(expectedFq, readBack(maskPath).data, dims, { erosionIterations: 1, medianSize: 3 });
    expect(Array.from(readBack(outPost).data)).toEqual(Array.from(expectedPost));
    expect(runCli(['quality', '--image', imagePath, '--recon', reconPath, '--alpha', '1.5']).status).toBe(2);

    // The GMS loss as FQ's structural term.
    const gmsd = runCli(['quality', '--image', imagePath, '--recon', reconPath, '--alpha', '0.5', '--structural', 'gmsd', '--out-fq', outFq]);
    expect(gmsd.json()).toMatchObject({ structural: 'gmsd', structuralLoss: { max: expect.any(Number) } });
    const gms = gmsLossMap(original.data, recon.data, dims);
    expect(Array.from(readBack(outFq).data)).toEqual(Array.from(fqMap(gms, l1Map(original.data, recon.data), 0.5)));
  });

  it('scores maps and picks thresholds on pooled volumes', () => {
    const dims: Dims3 = [16, 16, 8];
    const random = seededRandom(11);
    const paths: string[] = [];
    const volumes: { scores: Float32Array; labels: Uint8Array }[] = [];
    for (let v = 0; v < 2; v++) {
      const seg = makeVolume(dims, (i, j, k) => (i >= 4 + v && i < 10 && j >= 5 && j < 11 && k >= 2 && k < 6 ? 1 : 0));
      const map = makeVolume(dims, (i, j, k) => seg.data[i + 16 * (j + 16 * k)] * 0.5 + random() * 0.6);
      paths.push('--map', write(`map${v}.nii.gz`, map), '--seg', write(`seg${v}.nii.gz`, seg, 'uint8'));
      volumes.push({ scores: map.data, labels: labelsFromSegmentation(seg.data) });
    }
    const metrics = runCli(['metrics', ...paths, '--threshold', '0.5']);
    expect(metrics.status).toBe(0);
    const parsed = metrics.json() as { volumes: { auprc: number; dice: number; bestDiceOracle: number }[]; mean: { auprc: { mean: number } } };
    expect(parsed.volumes).toHaveLength(2);
    expect(parsed.volumes[0].auprc).toBeCloseTo(averagePrecision(volumes[0].scores, volumes[0].labels)!, 12);
    expect(parsed.mean.auprc.mean).toBeCloseTo((parsed.volumes[0].auprc + parsed.volumes[1].auprc) / 2, 12);
    expect(parsed.volumes[0].dice).toBeGreaterThan(0);
    expect(parsed.volumes[0].bestDiceOracle).toBeGreaterThanOrEqual(parsed.volumes[0].dice);

    const reference = runCli(['threshold', ...paths]).json() as { threshold: number; pooledDice: number };
    const exact = runCli(['threshold', ...paths, '--method', 'exact']).json() as { threshold: number; pooledDice: number };
    expect(reference.threshold).toBeGreaterThan(0);
    expect(exact.pooledDice).toBeGreaterThanOrEqual(reference.pooledDice);
    expect(runCli(['metrics', paths[0], paths[1]]).status).toBe(2);
  });
});
