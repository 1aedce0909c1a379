// evaluate and sweep refuse protocol errors before any reconstruction: an image in validation and test, no lesion to set a threshold.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './run-cli.ts';

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const model = join(demo, 'models', 'pddpm-iqa.fqlab');
const demoCase = (id: string, parts = ['T1', 'brainmask', 'seg']) => parts.map((part) => join(demo, `${id}_${part}.nii.gz`));

function expectRefusal(result: CliResult, ...mentions: string[]): void {
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  for (const text of mentions) expect(result.stderr).toContain(text);
}

describe('fqlab evaluate / sweep protocol checks', () => {
  it('refuses the same image as --val and --test, by path or as a copy', () => {
    const test01 = demoCase('test-01');
    expectRefusal(runCli(['evaluate', '--model', model, '--val', ...test01, '--test', ...test01]), test01[0], 'tuned on the test set');
    const copy = join(mkdtempSync(join(tmpdir(), 'fqlab-protocol-')), 'copy_T1.nii.gz');
    copyFileSync(test01[0], copy);
    expectRefusal(runCli(['sweep', '--model', model, '--val', copy, '--test', ...test01]), copy, 'same content');
  });

  it('refuses an evaluation without a lesion validation case unless --allow-no-threshold', () => {
    const healthyVal = demoCase('train-01', ['T1', 'brainmask']);
    expectRefusal(runCli(['evaluate', '--model', model, '--val', ...healthyVal, '--test', ...demoCase('test-01')]), 'no threshold', '--allow-no-threshold');
    // With the flag the check is passed and the run goes on to the test files (refused here, so nothing is reconstructed).
    const unpairedSeg = demoCase('test-02', ['seg']);
    const allowed = runCli(['evaluate', '--model', model, '--val', ...healthyVal, '--test', ...unpairedSeg, '--allow-no-threshold']);
    expectRefusal(allowed, unpairedSeg[0]);
    expect(allowed.stderr).not.toContain('no threshold');
  });

  it('offers only validation sources for alpha, and the three structural terms', () => {
    const files = ['--val', ...demoCase('val-03'), '--test', ...demoCase('test-01')];
    const badSource = runCli(['evaluate', '--model', model, ...files, '--alpha-source', 'test-dice']);
    expect(badSource.status).toBe(2);
    expect(badSource.stderr).toContain('--alpha-source must be one of fixed, val-dice, val-auprc');
    expect(runCli(['evaluate', '--model', model, ...files, '--structural', 'vif']).stderr).toContain('--structural must be one of ssim, ms-ssim, gmsd');
  });
});
