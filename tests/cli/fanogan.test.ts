// fqlab with --method fanogan: its three networks in `info`, both training stages from one `train`, then `evaluate`.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const demoCase = (id: string) => ['T1', 'brainmask', 'seg'].map((part) => join(demo, `${id}_${part}.nii.gz`)).filter(existsSync);

describe('fqlab --method fanogan', () => {
  it('info lists the generator, critic and encoder and their sum', () => {
    const info = runCli(['info', '--method', 'fanogan']);
    expect(info.stderr).toBe('');
    expect(info.json()).toMatchObject({
      method: 'fanogan',
      preset: 'paper',
      parameters: 23_726_402,
      networks: [
        { name: 'generator', parameters: 9_323_713 },
        { name: 'critic', parameters: 9_081_217 },
        { name: 'encoder', parameters: 5_321_472 },
      ],
    });
  });

  it('trains WGAN-GP then the encoder in one run, records the split, and evaluates', () => {
    const model = join(mkdtempSync(join(tmpdir(), 'fqlab-fanogan-')), 'fanogan');
    const args = ['train', '--method', 'fanogan', '--healthy', ...demoCase('train-01'), '--val', ...demoCase('val-01'), '--preset', 'tiny', '--steps', '4', '--batch', '2'];
    const train = runCli([...args, '--gan-steps', '2', '--out', model]);
    expect(train.stderr).toBe('');
    expect(train.json()).toMatchObject({ model: { method: 'fanogan', preset: 'tiny', step: 4 } });
    const log = JSON.parse(readFileSync(join(model, 'training.json'), 'utf8')) as { history: { stage: string; valLoss: number | null }[] };
    expect(log.history.map((h) => h.stage)).toEqual(['stage 1/2: WGAN-GP', 'stage 1/2: WGAN-GP', 'stage 2/2: izi_f encoder', 'stage 2/2: izi_f encoder']);
    expect(log.history[3].valLoss).not.toBeNull();

    const evaluated = runCli(['evaluate', '--model', model, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), '--seeds', '1']);
    expect(evaluated.stderr).toBe('');
    const report = evaluated.json() as { modelInfo: { method: string }; score: string; mean: { auprc: { mean: number } } };
    expect(report).toMatchObject({ modelInfo: { method: 'fanogan' }, score: 'fq' });
    expect(report.mean.auprc.mean).toBeGreaterThan(0);

    const refused = runCli(['train', '--method', 'ae', '--healthy', ...demoCase('train-01'), '--gan-steps', '2', '--out', model]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--gan-steps is an option of --method fanogan/);
  });
});
