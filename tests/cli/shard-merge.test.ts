// Tests of `--shard i/n` and `fqlab merge`: shards merged give the unsharded report byte for byte; mismatched shards are refused.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { cellBlock, holdsPosition, shardFlag } from '../../src/cli/shard.ts';
import { runCli, runCliAsync } from './run-cli.ts';

/** A reconstructing run may take minutes on a loaded 2-core machine; only a hang should fail it. */
const SLOW_RUN_MS = 400_000;

const demo = fileURLToPath(new URL('../../public/demo/', import.meta.url));
const model = join(demo, 'models', 'pddpm-iqa.fqlab');
const demoCase = (id: string) => ['T1', 'brainmask', 'seg'].map((part) => join(demo, `${id}_${part}.nii.gz`));

/** `fqlab merge` run in this process (a refusal needs no child process): its exit code and what it printed on stderr. */
async function mergeHere(args: string[]): Promise<{ status: number; stderr: string }> {
  const printed: string[] = [];
  const stderr = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
  const stdout = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { status: await main(['merge', ...args]), stderr: printed.join('\n') };
  } finally {
    stderr.mockRestore();
    stdout.mockRestore();
  }
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fqlab-shard-'));
});

describe('--shard i/n', () => {
  it('parses i/n with 0 <= i < n and refuses anything else', () => {
    expect(shardFlag({ shard: '3/8' })).toEqual({ index: 3, count: 8 });
    expect(shardFlag({})).toBeNull();
    for (const bad of ['8/8', '1/0', '-1/4', '1', '1/2/3', 'a/b', '1.5/4', '0/100000']) {
      expect(() => shardFlag({ shard: bad }), bad).toThrow(/--shard must be i\/n/);
    }
  });

  it('gives every test case and every grid cell to exactly one shard', () => {
    for (const count of [1, 2, 3, 7]) {
      for (const items of [0, 1, 5, 33]) {
        const owners = Array.from({ length: items }, (_, position) =>
          Array.from({ length: count }, (_, index) => index).filter((index) => holdsPosition({ index, count }, position)));
        expect(owners.every((o) => o.length === 1)).toBe(true);
        const blocks = Array.from({ length: count }, (_, index) => cellBlock({ index, count }, items));
        expect(blocks[0].start).toBe(0);
        expect(blocks[count - 1].end).toBe(items);
        blocks.slice(1).forEach((block, k) => expect(block.start).toBe(blocks[k].end));
      }
    }
  });
});

describe('cluster scripts', () => {
  it('are shown in the README as they are in scripts/cluster/', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    for (const name of ['slurm-evaluate.sbatch', 'k8s-evaluate-job.yaml']) {
      expect(readme, name).toContain(readFileSync(fileURLToPath(new URL(`../../scripts/cluster/${name}`, import.meta.url)), 'utf8'));
    }
  });
});

describe('fqlab evaluate / sweep --shard and fqlab merge', () => {
  const evaluateArgs = ['evaluate', '--model', model, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), ...demoCase('test-02'),
    '--noise-level', '500', '--seeds', '1'];
  const sweepArgs = ['sweep', '--model', model, '--val', ...demoCase('val-03'), '--test', ...demoCase('test-01'), '--alpha', '0,1', '--noise-level', '500'];
  const shardFile = (name: string, i: number) => join(dir, `${name}-shard${i}.json`);

  it('merges 2 evaluate shards into the unsharded report, byte for byte', async () => {
    const maps = join(dir, 'maps');
    const full = runCli([...evaluateArgs, '--out-dir', maps, '--out', join(dir, 'evaluate-full.json')], {}, SLOW_RUN_MS);
    expect(full.stderr).toBe('');
    expect(full.status).toBe(0);
    const shards = await Promise.all([0, 1].map((i) => runCliAsync([...evaluateArgs, '--out-dir', maps, '--shard', `${i}/2`, '--out', shardFile('evaluate', i)], {}, SLOW_RUN_MS)));
    for (const [i, shard] of shards.entries()) {
      expect(shard.stderr).toBe('');
      expect(shard.status).toBe(0);
      const { cases } = shard.json() as { cases: { caseId: string }[] };
      expect(cases.map((c) => c.caseId)).toEqual([`test:demo_test_0${i + 1}`]); // round robin: one test case each
    }
    const merged = runCli(['merge', '--out', join(dir, 'evaluate-merged.json'), shardFile('evaluate', 1), shardFile('evaluate', 0)]);
    expect(merged.stderr).toBe('');
    expect(merged.status).toBe(0);
    const unsharded = readFileSync(join(dir, 'evaluate-full.json'), 'utf8');
    expect(readFileSync(join(dir, 'evaluate-merged.json'), 'utf8')).toBe(unsharded);
    expect(merged.stdout).toBe(full.stdout);
    const report = JSON.parse(unsharded) as { perVolume: { dice: { mean: number | null } }[]; outputs: string[] };
    expect(report.perVolume.map((v) => v.dice.mean)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(report.outputs).toHaveLength(12); // 3 maps per test case, each with its provenance sidecar
    expect(report.outputs.every((path) => existsSync(path))).toBe(true);
  }, 3 * SLOW_RUN_MS);

  it('merges 2 sweep shards (one grid cell each) into the unsharded report and CSV, byte for byte', async () => {
    const csv = join(dir, 'sweep.csv');
    const report = join(dir, 'sweep.json');
    const full = runCli([...sweepArgs, '--csv', csv, '--out', report], {}, SLOW_RUN_MS);
    expect(full.status).toBe(0);
    const [unshardedReport, unshardedCsv] = [readFileSync(report, 'utf8'), readFileSync(csv, 'utf8')];
    expect(unshardedCsv.trim().split('\n')).toHaveLength(3);
    const shards = await Promise.all([0, 1].map((i) => runCliAsync([...sweepArgs, '--shard', `${i}/2`, '--out', shardFile('sweep', i)], {}, SLOW_RUN_MS)));
    for (const [i, shard] of shards.entries()) {
      expect(shard.status).toBe(0);
      expect((shard.json() as { cells: { alpha: number }[] }).cells.map((c) => c.alpha)).toEqual([i]);
    }
    const merged = runCli(['merge', '--out', report, '--csv', csv, shardFile('sweep', 0), shardFile('sweep', 1)]);
    expect(merged.stderr).toBe('');
    expect(merged.status).toBe(0);
    expect(readFileSync(report, 'utf8')).toBe(unshardedReport);
    expect(readFileSync(csv, 'utf8')).toBe(unshardedCsv);
  }, 3 * SLOW_RUN_MS);

  it('refuses shards of another model, other flags, missing or repeated shards, with one line naming the file', async () => {
    const [first, second] = [shardFile('evaluate', 0), shardFile('evaluate', 1)];
    const edited = (name: string, edit: (shard: Record<string, unknown> & { report: Record<string, unknown> }) => void) => {
      const shard = JSON.parse(readFileSync(second, 'utf8')) as Record<string, unknown> & { report: Record<string, unknown> };
      edit(shard);
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(shard));
      return path;
    };
    const refusals: [string[], string, RegExp][] = [
      [[first], 'shard 1/2', /is missing/],
      [[first, first], first, /as is/],
      [[first, edited('other-model.json', (s) => (s.checkpointSha256 = 'a'.repeat(64)))], 'other-model.json', /another model/],
      [[first, edited('other-noise.json', (s) => (s.report.noiseLevel = 750))], 'other-noise.json', /noiseLevel 750/],
      [[first, edited('other-modality.json', (s) => (s.settings = { modality: 'T2', allowNoThreshold: false }))], 'other-modality.json', /modality "T2"/],
      [[first, edited('other-count.json', (s) => (s.shard = { index: 1, count: 3 }))], 'other-count.json', /one of 2 shards/],
      [[first, edited('other-threshold.json', (s) => ((s.thresholds as { threshold: number }[])[0].threshold = 0.5))], 'other-threshold.json', /chose threshold 0.5/],
      [[first, shardFile('sweep', 1)], 'sweep-shard1.json', /`fqlab sweep`/],
      [[first, join(dir, 'evaluate-full.json')], 'evaluate-full.json', /not a shard file/],
    ];
    for (const [files, named, problem] of refusals) {
      const result = await mergeHere(['--out', join(dir, 'refused.json'), ...files]);
      expect(result.status, named).toBe(1);
      expect(result.stderr.trim().split('\n'), named).toHaveLength(1);
      expect(result.stderr).toContain(named);
      expect(result.stderr).toMatch(problem);
    }
    expect(existsSync(join(dir, 'refused.json'))).toBe(false);
  });

  it('refuses a shard index out of range, and --csv on a sweep shard, as usage errors', () => {
    const outOfRange = runCli([...evaluateArgs, '--shard', '2/2']);
    expect(outOfRange.status).toBe(2);
    expect(outOfRange.stderr).toContain('--shard');
    const csvOnShard = runCli([...sweepArgs, '--shard', '0/2', '--csv', join(dir, 'x.csv')]);
    expect(csvOnShard.status).toBe(2);
    expect(csvOnShard.stderr).toContain('fqlab merge --csv');
  });
});
