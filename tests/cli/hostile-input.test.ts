// The CLI against hostile input: devices, FIFOs, huge files, bad output paths, mismatched grids, odd labels; one line each, no output left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NIFTI_FILE } from '../../src/core/inputLimits.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import type { Dims3 } from '../../src/core/volume.ts';
import { runCli, type CliResult } from './run-cli.ts';
import { makeVolume, writeVolume } from './syntheticVolumes.ts';

/** A hang would otherwise block until vitest's own timeout; a fixed CLI answers in about a second. */
const HANG_LIMIT_MS = 60_000;
const dims: Dims3 = [12, 10, 6];
const lesion = (i: number, j: number, k: number) => (i >= 3 && i < 7 && j >= 3 && j < 7 && k >= 2 && k < 4 ? 1 : 0);
/** The identity grid moved 10 mm along x, and mirrored along x (voxel i at x = 11 - i). */
const shifted = Float64Array.from([1, 0, 0, 10, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
const xFlipped = Float64Array.from([-1, 0, 0, dims[0] - 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

let dir = '';
let image = '';
let mask = '';
let seg = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fqlab-hostile-'));
  image = writeVolume(dir, 'x.nii.gz', makeVolume(dims, (i, j, k) => 0.2 + 0.5 * lesion(i, j, k) + 0.01 * ((i + j + k) % 5)));
  mask = writeVolume(dir, 'x_brainmask.nii.gz', makeVolume(dims, (i, j) => (i > 0 && i < 11 && j > 0 && j < 9 ? 1 : 0)), 'uint8');
  seg = writeVolume(dir, 'x_seg.nii.gz', makeVolume(dims, lesion), 'uint8');
});

/** Exit status 1 and exactly one stderr line naming `path`, with no stack frame and nothing on stdout. */
function expectOneLineRefusal(result: CliResult, path: string): string {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
  expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
  return lines[0];
}

describe('fqlab refuses special and oversized input paths before reading them', () => {
  it.runIf(existsSync('/dev/zero'))('refuses /dev/zero as a character device', () => {
    const line = expectOneLineRefusal(runCli(['quality', '--image', '/dev/zero', '--recon', image], {}, HANG_LIMIT_MS), '/dev/zero');
    expect(line).toContain('character device');
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'pipe.nii.gz');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const line = expectOneLineRefusal(runCli(['postprocess', '--map', fifo, '--brain-mask', mask, '--out', join(dir, 'p.nii.gz')], {}, HANG_LIMIT_MS), fifo);
    expect(line).toContain('FIFO');
  });

  it('refuses a folder given as a file, and a file larger than any NIfTI fqlab reads', () => {
    expect(expectOneLineRefusal(runCli(['quality', '--image', dir, '--recon', image]), dir)).toContain('is a folder');
    const huge = join(dir, 'huge.nii');
    writeFileSync(huge, '');
    truncateSync(huge, NIFTI_FILE.maxBytes + 1); // sparse: no disk is used, and the reader must not read it
    expect(expectOneLineRefusal(runCli(['quality', '--image', huge, '--recon', image], {}, HANG_LIMIT_MS), huge)).toContain('larger than');
  });
});

describe('fqlab checks output paths before any work and names them', () => {
  it.runIf(existsSync('/proc/self'))('refuses --out-dir under /proc instead of looping', () => {
    expectOneLineRefusal(runCli(['conform', '--image', image, '--out-dir', '/proc/fqlab-out'], {}, HANG_LIMIT_MS), '/proc/fqlab-out');
  });

  it('refuses an output file that is a folder, and an output folder that is a file', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(expectOneLineRefusal(runCli(['postprocess', '--map', image, '--brain-mask', mask, '--out', folder]), folder)).toContain('is a folder');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    expect(expectOneLineRefusal(runCli(['conform', '--image', image, '--out-dir', file]), file)).toContain('not a folder');
    const below = join(file, 'sub', 'out.nii.gz');
    expectOneLineRefusal(runCli(['quality', '--image', image, '--recon', image, '--out-fq', below]), below);
  });

  it('writes no output at all when a later output of the same command fails', () => {
    // One voxel at +-2e38: SSIM-loss stays finite, but l1 overflows float32 to Infinity, which NIfTI output refuses.
    const far = (sign: number) => makeVolume(dims, (i, j, k) => (i + j + k === 0 ? sign * 2e38 : 0.5));
    const a = writeVolume(dir, 'far-a.nii', far(1));
    const b = writeVolume(dir, 'far-b.nii', far(-1));
    const outDir = join(dir, 'half');
    const [ssim, l1] = [join(outDir, 'ssim.nii.gz'), join(outDir, 'l1.nii.gz')];
    const line = expectOneLineRefusal(runCli(['quality', '--image', a, '--recon', b, '--out-ssim', ssim, '--out-l1', l1]), l1);
    expect(line).not.toContain('NIfTI output');
    expect(existsSync(outDir)).toBe(false);
  });
});

describe('fqlab conform keeps segmentation labels that uint8 cannot hold', () => {
  it('writes labels 1000, -1 and 0.5 as float32, with every output and _conform.json', () => {
    const big = [20, 20, 12] as Dims3;
    const inside = (i: number, j: number, k: number) => i > 2 && i < 17 && j > 2 && j < 17 && k > 1 && k < 10;
    const head = writeVolume(dir, 'odd.nii.gz', makeVolume(big, (i, j, k) => (inside(i, j, k) ? 100 + ((i * j + k) % 7) : 0)));
    const labels = [1000, -1, 0.5];
    const labelMap = writeVolume(dir, 'odd_seg.nii.gz', makeVolume(big, (i, j, k) => (inside(i, j, k) && k >= 4 && k < 8 ? labels[(i >> 2) % 3] : 0)));
    const outDir = join(dir, 'odd-conformed');
    const result = runCli(['conform', '--image', head, '--seg', labelMap, '--out-dir', outDir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { outputs, segDatatype } = result.json() as { outputs: Record<string, string>; segDatatype: string };
    expect(segDatatype).toBe('float32');
    const written = readNifti(readFileSync(outputs.seg), outputs.seg);
    expect(written.header.datatypeName).toBe('float32');
    expect(new Set(written.volume.data)).toEqual(new Set([0, ...labels]));
    expect(readdirSync(outDir).sort()).toEqual(['odd.nii.gz', 'odd_brainmask.nii.gz', 'odd_conform.json', 'odd_seg.nii.gz']);
  });
});

describe('fqlab compares affines, not just dims, wherever it pairs volumes', () => {
  it('refuses a brain mask shifted 10 mm (postprocess) and a reconstruction shifted 10 mm (quality)', () => {
    const movedMask = writeVolume(dir, 'moved_brainmask.nii.gz', makeVolume(dims, () => 1, shifted), 'uint8');
    const out = join(dir, 'post-moved.nii.gz');
    const line = expectOneLineRefusal(runCli(['postprocess', '--map', image, '--brain-mask', movedMask, '--out', out]), movedMask);
    expect(line).toContain('10.000 mm');
    expect(existsSync(out)).toBe(false);
    const movedRecon = writeVolume(dir, 'moved-recon.nii.gz', makeVolume(dims, () => 0.3, shifted));
    expectOneLineRefusal(runCli(['quality', '--image', image, '--recon', movedRecon]), movedRecon);
  });

  it('refuses an x-flipped segmentation in metrics and threshold', () => {
    const flippedSeg = writeVolume(dir, 'flipped_seg.nii.gz', makeVolume(dims, lesion, xFlipped), 'uint8');
    expect(expectOneLineRefusal(runCli(['metrics', '--map', image, '--seg', flippedSeg]), flippedSeg)).toContain('different affine');
    expectOneLineRefusal(runCli(['threshold', '--map', image, '--seg', flippedSeg]), flippedSeg);
    expect(runCli(['metrics', '--map', image, '--seg', seg]).status).toBe(0);
  });
});
