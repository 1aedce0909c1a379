// fqlab evaluate --model and train --resume refuse a damaged checkpoint in one line naming its path (exit 1, no stack trace).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withHeader, withTensorValue } from '../engine/checkpointSamples.ts';
import { runCli } from './run-cli.ts';

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const demoCase = (id: string) => ['T1', 'brainmask', 'seg'].map((part) => join(demo, `${id}_${part}.nii.gz`)).filter(existsSync);

describe('fqlab with a damaged checkpoint', () => {
  it('evaluate (NaN weight) and train --resume (diffusionSteps 0) refuse in one line naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fqlab-bad-checkpoint-'));
    const shipped = new Uint8Array(readFileSync(join(demo, 'models', 'pddpm.fqlab')));
    const nanWeights = join(dir, 'nan-weights.fqlab');
    writeFileSync(nanWeights, withTensorValue(shipped, 'model/out.2.weight', 3, Number.NaN));
    const zeroSteps = join(dir, 'zero-steps.fqlab');
    writeFileSync(zeroSteps, withHeader(shipped, (h) => ({ ...h, config: { ...(h.config as object), diffusionSteps: 0 } })));

    const evaluate = runCli(['evaluate', '--model', nanWeights, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01')]);
    expect(evaluate.status).toBe(1);
    expect(evaluate.stdout).toBe('');
    expect(evaluate.stderr.trimEnd().split('\n')).toEqual([
      `fqlab evaluate: ${nanWeights}: tensor "model/out.2.weight" holds NaN at index 3; its weights are broken (a diverged or damaged run); choose a checkpoint saved by fqlab`,
    ]);

    const resume = runCli(['train', '--resume', zeroSteps, '--healthy', ...demoCase('train-01'), '--out', join(dir, 'resumed')]);
    expect(resume.status).toBe(1);
    expect(resume.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(resume.stderr).toMatch(new RegExp(`^fqlab train: ${zeroSteps.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: header field config\\.diffusionSteps: too small`));
  });
});
