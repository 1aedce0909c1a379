// `fqlab conform --register` on a real scan without its mask: the warped template mask must match the scan's own (Dice >= 0.85).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import { runCli } from './run-cli.ts';

const DATA = [fileURLToPath(new URL('../../../shared/data/', import.meta.url)), '/work/shared/data/'].find((dir) =>
  existsSync(join(dir, 'healthy/IXI002_T2.nii.gz')),
);
const out = mkdtempSync(join(tmpdir(), 'fqlab-register-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const read = (path: string) => readNifti(new Uint8Array(readFileSync(path)), path).volume;

describe.skipIf(!DATA)('fqlab conform --register (needs ../shared/data)', () => {
  it('skull-strips IXI002 T2 by the template: Dice >= 0.85 against its HD-BET mask, on the input grid', () => {
    const result = runCli(['conform', '--image', join(DATA!, 'healthy/IXI002_T2.nii.gz'), '--register', '--out-dir', out]);
    expect(result.status, result.stderr).toBe(0);
    const summary = result.json() as { dims: number[]; registration: { template: string }; outputs: Record<string, string> };
    expect(summary.dims).toEqual([96, 96, 50]);
    expect(summary.registration.template).toBe('brain');
    const mask = read(summary.outputs.brainMaskNative);
    const truth = read(join(DATA!, 'healthy/IXI002_T2_brainmask.nii.gz'));
    expect(mask.dims).toEqual(truth.dims);
    expect(Array.from(mask.affine)).toEqual(Array.from(truth.affine));
    let both = 0;
    let sum = 0;
    for (let i = 0; i < mask.data.length; i++) {
      both += mask.data[i] && truth.data[i] ? 1 : 0;
      sum += (mask.data[i] ? 1 : 0) + (truth.data[i] ? 1 : 0);
    }
    expect((2 * both) / sum).toBeGreaterThanOrEqual(0.85);
    const record = JSON.parse(readFileSync(summary.outputs.conform, 'utf8')) as { registration: { scanToTemplate: number[] } };
    expect(record.registration.scanToTemplate).toHaveLength(16);
  }, 120_000);
});
