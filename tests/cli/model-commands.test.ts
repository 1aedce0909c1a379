// End-to-end tests of fqlab train, evaluate and sweep on the shipped demo volumes with the tiny preset and few steps.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/core/metrics/index.ts';
import { readNifti } from '../../src/core/nifti/index.ts';
import { PAPER_PROTOCOL } from '../../src/core/protocol.ts';
import { runCli } from './run-cli.ts';

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const demoCase = (id: string) => ['T1', 'brainmask', 'seg'].map((part) => join(demo, `${id}_${part}.nii.gz`)).filter(existsSync);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fqlab-model-'));
});

describe('fqlab train / evaluate / sweep', () => {
  it('trains a tiny model, then evaluates and sweeps it on demo volumes', () => {
    const modelDir = join(dir, 'model');
    const train = runCli([
      'train', '--healthy', ...demoCase('train-01'), ...demoCase('train-02'), '--val', ...demoCase('val-01'),
      '--preset', 'tiny', '--steps', '3', '--batch', '2', '--seed', '5', '--out', modelDir,
    ]);
    expect(train.stderr).toBe('');
    expect(train.status).toBe(0);
    const trained = train.json() as {
      model: { preset: string; step: number; airApplied: boolean };
      data: { healthyTrain: string[]; air: string; smoothing: string };
      finalLoss: number;
    };
    // The demo is T1, which the reference's per-modality rule (the default) inverts; its volumes are already conformed.
    expect(trained.model).toMatchObject({ preset: 'tiny', step: 3, airApplied: true, airMode: 'modality', smoothing: null });
    expect(trained.data).toMatchObject({ air: 'AIR on (modality)', smoothing: 'no smoothing' });
    expect(trained.data.healthyTrain).toHaveLength(2);
    expect(trained.finalLoss).toBeGreaterThan(0);
    const log = JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8')) as { history: { step: number }[] };
    expect(log.history.map((h) => h.step)).toEqual([1, 2, 3]);

    const resumed = runCli([
      'train', '--resume', modelDir, '--healthy', ...demoCase('train-01'), ...demoCase('train-02'), '--val', ...demoCase('val-01'),
      '--steps', '4', '--out', join(dir, 'resumed'),
    ]);
    expect(resumed.status).toBe(0);
    const continued = resumed.json() as { model: { step: number; preset: string } };
    expect(continued.model).toMatchObject({ step: 4, preset: 'tiny' });

    const outDir = join(dir, 'maps');
    const evaluate = runCli([
      'evaluate', '--model', modelDir, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'),
      '--noise-level', '500', '--seeds', '2', '--out-dir', outDir,
    ]);
    expect(evaluate.stderr).toBe('');
    expect(evaluate.status).toBe(0);
    const report = evaluate.json() as {
      mean: Record<'dice' | 'auprc' | 'auroc', Summary>;
      perSeed: { seed: number; threshold: number | null; auprc: number }[];
      preparation: { air: string; modelSmoothing: string; casesSmoothing: string; warnings: string[] };
      outputs: string[];
    };
    expect(report.preparation).toEqual({ air: 'AIR on (modality)', modelSmoothing: 'no smoothing', casesSmoothing: 'no smoothing', warnings: [] });
    expect(report.perSeed.map((s) => s.seed)).toEqual([0, 1]);
    expect(report.mean.auprc.n).toBe(2);
    expect(report.mean.auprc.mean).toBeGreaterThan(0);
    expect(report.mean.auprc.mean).toBeLessThanOrEqual(1);
    expect(report.perSeed[0].threshold).not.toBeNull();
    // Exported maps lie on the test image's own grid.
    const fq = report.outputs.find((p) => p.endsWith('_fq.nii.gz'));
    expect(fq).toBeDefined();
    const fqFile = readNifti(readFileSync(fq!), fq!);
    expect(fqFile.volume.dims).toEqual([96, 96, 50]);
    expect(fqFile.header.description).toMatch(/^fqlab \d+\.\d+\.\d+\S* fq fq pddpm tiny@3 #[0-9a-f]{8} AIR on a0\.84 n500 s1 t\S+ val$/);
    // Beside each map its full provenance, as the browser's export saves it: the model, scoring and threshold of the last seed.
    const sidecar = fq!.replace(/\.nii\.gz$/, '.json');
    expect(report.outputs).toContain(sidecar);
    const provenance = JSON.parse(readFileSync(sidecar, 'utf8')) as Record<string, unknown>;
    expect(provenance).toMatchObject({
      file: basename(fq!), layer: 'fq', method: 'pddpm', preset: 'tiny', trainingStep: 3, air: 'AIR on (modality)',
      score: 'fq', alpha: 0.84, noiseLevel: 500, seed: 1, threshold: report.perSeed[1].threshold, thresholdSource: 'validation-search',
      smoothing: 'no smoothing',
    });
    expect(provenance.checkpoint).toMatch(/^model-[0-9a-f]+/);
    expect(report.outputs.filter((p) => p.endsWith('.json'))).toHaveLength(3);

    // Alpha chosen on the validation case, with the GMS loss as the structural term: the report names both and the grid.
    const chosen = runCli([
      'evaluate', '--model', modelDir, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'),
      '--noise-level', '500', '--seeds', '1', '--alpha-source', 'val-auprc', '--structural', 'gmsd',
    ]);
    expect(chosen.stderr).toBe('');
    const chosenReport = chosen.json() as { alpha: number | null; alphaGrid: number[]; perSeed: { alpha: number; alphaObjective: number[] }[] };
    expect(chosenReport).toMatchObject({ alpha: null, alphaSource: 'val-auprc', alphaGrid: PAPER_PROTOCOL.alphaGrid, structural: 'gmsd' });
    const [{ alpha, alphaObjective }] = chosenReport.perSeed;
    expect(alphaObjective).toHaveLength(PAPER_PROTOCOL.alphaGrid.length);
    expect(alpha).toBe(PAPER_PROTOCOL.alphaGrid[alphaObjective.indexOf(Math.max(...alphaObjective))]);

    const csv = join(dir, 'sweep.csv');
    const sweep = runCli([
      'sweep', '--model', join(modelDir, 'model.fqlab'), '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'),
      '--alpha', '0:1:1', '--noise-level', '500', '--csv', csv,
    ]);
    expect(sweep.status).toBe(0);
    const grid = sweep.json() as { cells: { alpha: number; noiseLevel: number; auprc: number | null }[]; best: unknown };
    expect(grid.cells.map((c) => [c.alpha, c.noiseLevel])).toEqual([[0, 500], [1, 500]]);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe('alpha,noise_level,dice,auprc,air,smoothing');
    expect(rows[1]).toMatch(/^0,500,[^,]*,[^,]*,AIR on \(modality\),no smoothing$/);
    expect(grid.best).not.toBeNull();
  }, 600_000);

  it('stops at --max-minutes, takes --micro-batch, and writes a weights-only checkpoint that cannot resume', () => {
    const modelDir = join(dir, 'slim');
    const train = runCli([
      'train', '--healthy', ...demoCase('train-01'), '--preset', 'tiny', '--steps', '100000', '--max-minutes', '0.05',
      '--batch', '2', '--micro-batch', '1', '--seed', '2', '--weights-only', '--out', modelDir,
    ]);
    expect(train.status).toBe(0);
    const trained = train.json() as { model: { step: number }; config: { microBatch: number; maxSeconds: number } };
    expect(trained.config).toMatchObject({ microBatch: 1, maxSeconds: 3 });
    expect(trained.model.step).toBeGreaterThan(0);
    expect(trained.model.step).toBeLessThan(100000);
    const checkpoint = readFileSync(join(modelDir, 'model.fqlab'));
    const header = JSON.parse(new TextDecoder().decode(checkpoint.subarray(12, 12 + checkpoint.readUInt32LE(8)))) as {
      training: unknown;
      tensors: { name: string }[];
    };
    expect(header.training).toBeNull();
    expect(header.tensors.every((t) => t.name.startsWith('model/'))).toBe(true);

    const resume = runCli(['train', '--resume', modelDir, '--healthy', ...demoCase('train-01'), '--steps', '5', '--out', join(dir, 'slim2')]);
    expect(resume.status).toBe(1);
    expect(resume.stderr).toMatch(/weights only/);
    const tooBig = runCli(['train', '--healthy', ...demoCase('train-01'), '--batch', '2', '--micro-batch', '3', '--out', join(dir, 'slim3')]);
    expect(tooBig.status).toBe(2);
    expect(tooBig.stderr).toContain('--micro-batch');
    const badKernels = runCli(['train', '--healthy', ...demoCase('train-01'), '--webgpu-kernels', 'fast', '--out', join(dir, 'slim4')]);
    expect(badKernels.status).toBe(2);
    expect(badKernels.stderr).toContain('--webgpu-kernels must be one of stock, custom, got "fast"');
  }, 300_000);

  it('--threads 2 trains the same checkpoint, byte for byte, as one thread', () => {
    const trainWith = (threads: string): Buffer => {
      const modelDir = join(dir, `threads-${threads}`);
      const train = runCli([
        'train', '--healthy', ...demoCase('train-01'), ...demoCase('train-02'), '--preset', 'tiny', '--steps', '2',
        '--batch', '4', '--micro-batch', '2', '--seed', '4', '--threads', threads, '--out', modelDir,
      ]);
      expect(train.status).toBe(0);
      expect((train.json() as { threads: number }).threads).toBe(Number(threads));
      return readFileSync(join(modelDir, 'model.fqlab'));
    };
    expect(trainWith('2').equals(trainWith('1'))).toBe(true);
  }, 300_000);

  it('evaluate --threads 2 writes the same reconstructions and report as one thread, and exits', () => {
    const modelDir = join(dir, 'threads-evaluate');
    const train = runCli(['train', '--healthy', ...demoCase('train-01'), '--preset', 'tiny', '--steps', '1', '--batch', '2', '--seed', '6', '--out', modelDir]);
    expect(train.status).toBe(0);
    const evaluateWith = (threads: string): { report: Record<string, unknown>; reconstruction: Buffer } => {
      const outDir = join(dir, `threads-evaluate-${threads}`);
      const evaluate = runCli([
        'evaluate', '--model', modelDir, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'),
        '--noise-level', '500', '--seeds', '1', '--threads', threads, '--out-dir', outDir,
      ]);
      expect(evaluate.stderr).toBe('');
      expect(evaluate.status).toBe(0);
      const report = evaluate.json() as { outputs: string[] };
      const reconstruction = report.outputs.find((p) => p.endsWith('_reconstruction.nii.gz'));
      expect(reconstruction).toBeDefined();
      return { report: { ...report, outputs: report.outputs.map((p) => basename(p)) }, reconstruction: readFileSync(reconstruction!) };
    };
    const one = evaluateWith('1');
    const two = evaluateWith('2');
    expect(two.reconstruction.equals(one.reconstruction)).toBe(true);
    expect(two.report).toEqual(one.report);
  }, 300_000);

  it('refuses a missing model folder with one line naming it', () => {
    const result = runCli(['evaluate', '--model', join(dir, 'nope'), '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01')]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('nope');
  });
});
