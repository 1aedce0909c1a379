// fqlab info / train / evaluate with --method: parameter counts, a tiny AE, SVAE and UPD VAE trained and evaluated, thresh evaluated without a model.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { methodOptionsFlag } from '../../src/cli/methodFlags.ts';
import { METHODS } from '../../src/engine/index.ts';
import { runCli } from './run-cli.ts';

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const demoCase = (id: string) => ['T1', 'brainmask', 'seg'].map((part) => join(demo, `${id}_${part}.nii.gz`)).filter(existsSync);

describe('fqlab --method', () => {
  it('info prints the method, preset and parameter counts', () => {
    const vae = runCli(['info', '--method', 'vae']);
    expect(vae.status).toBe(0);
    expect(vae.json()).toMatchObject({ method: 'vae', preset: 'paper', parameters: 1_815_569, networks: [{ name: 'vae', parameters: 1_815_569 }] });
    expect(runCli(['info', '--method', 'vae', '--vae-variant', 'upd']).json()).toMatchObject({ method: 'vae', vaeVariant: 'upd', parameters: 1_018_273 });
    const svae = runCli(['info', '--method', 'svae']).json() as { source: string };
    expect(svae).toMatchObject({ method: 'svae', preset: 'paper', parameters: 2_218_513 });
    expect(svae.source).toMatch(/^surrogate: /);
    expect(() => methodOptionsFlag({ 'vae-variant': 'upd' }, METHODS.ae)).toThrow(/--vae-variant is an option of --method vae, not ae/);
    expect(() => methodOptionsFlag({ 'vae-variant': 'UPD' }, METHODS.vae)).toThrow(/--vae-variant must be one of baur, upd/);
    const refused = runCli(['info', '--method', 'thresh', '--preset', 'tiny']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--preset must be one of paper for --method thresh/);
  });

  it('trains a tiny SVAE (batches of whole volumes) and a tiny UPD VAE, and evaluates the SVAE with the l1 score', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-svae-'));
    const svae = runCli(['train', '--method', 'svae', '--healthy', ...demoCase('train-01'), '--preset', 'tiny', '--steps', '2', '--batch', '1', '--out', join(dir, 'svae')]);
    expect(svae.stderr).toBe('');
    expect(svae.json()).toMatchObject({ model: { method: 'svae', preset: 'tiny', step: 2 }, config: { batchSize: 1 } });
    const upd = runCli(['train', '--method', 'vae', '--vae-variant', 'upd', '--healthy', ...demoCase('train-01'), '--preset', 'tiny', '--steps', '1', '--batch', '2', '--out', join(dir, 'upd')]);
    expect(upd.stderr).toBe('');
    expect(upd.json()).toMatchObject({ model: { method: 'vae', step: 1 }, config: { methodOptions: { vaeVariant: 'upd' } } });
    const evaluated = runCli(['evaluate', '--model', join(dir, 'svae'), '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), '--seeds', '1', '--score', 'l1']);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.json()).toMatchObject({ modelInfo: { method: 'svae' }, score: 'l1' });
  });

  it('trains a tiny AE and evaluates it; evaluates thresh without a model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-methods-'));
    const model = join(dir, 'ae');
    const train = runCli(['train', '--method', 'ae', '--healthy', ...demoCase('train-01'), '--preset', 'tiny', '--steps', '2', '--batch', '2', '--out', model]);
    expect(train.stderr).toBe('');
    expect(train.json()).toMatchObject({ model: { method: 'ae', preset: 'tiny', step: 2, loss: 'fq' } });
    const evaluated = runCli(['evaluate', '--model', model, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), '--seeds', '1']);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.json()).toMatchObject({ modelInfo: { method: 'ae' }, score: 'fq' });

    const thresh = runCli(['evaluate', '--method', 'thresh', '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), '--seeds', '1']);
    expect(thresh.stderr).toBe('');
    const report = thresh.json() as { model: string; score: string; modelInfo: { method: string; airApplied: boolean }; mean: { auprc: { mean: number } } };
    // The demo is T1, which the per-modality AIR rule inverts.
    expect(report).toMatchObject({ model: 'thresh (no model)', score: 'l1', modelInfo: { method: 'thresh', airApplied: true } });
    expect(report.mean.auprc.mean).toBeGreaterThan(0);
    const both = runCli(['evaluate', '--method', 'thresh', '--model', model, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01')]);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/give --model .* or --method thresh, not both/);
  });
});
