// Tests that scoring on a pool of threads gives the serial path's numbers to the bit, the viewed case first, and stops when aborted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformedCase } from '../../src/analysis/caseStore.ts';
import { AnalysisPipeline, type ScoreRequest, type ViewedCaseScore } from '../../src/analysis/pipeline.ts';
import { InProcessScoringPool, type ScoringPool } from '../../src/analysis/scoringPool.ts';
import { summarize } from '../../src/core/metrics/index.ts';
import { nodeScoringPool } from '../../workers/nodeScoringPool.ts';
import { FakeModel, syntheticCase } from './syntheticCases.ts';

let cases: ConformedCase[];
let threads: ScoringPool;
const model = new FakeModel('m');
const caseIds = ['val1', 'val2', 'test1', 'test2'];
const request: ScoreRequest = { modelId: 'm', noiseLevel: 500, seed: 1, alpha: 0.7, score: 'fq', thresholdSource: 'validation-search', viewCaseId: 'test2' };

beforeAll(() => {
  cases = [syntheticCase('val1', 'validation', 1, 3), syntheticCase('val2', 'validation', 2, 2), syntheticCase('test1', 'test', 4, 3), syntheticCase('test2', 'test', 5, 1)];
  threads = nodeScoringPool(2);
});

afterAll(() => threads.dispose());

async function reconstructed(): Promise<AnalysisPipeline> {
  const pipeline = new AnalysisPipeline();
  for (const c of cases) pipeline.cases.put(c);
  await pipeline.reconstruct(model, { caseIds, noiseLevel: 500, seed: 1 });
  return pipeline;
}

/** Whether two volumes hold the same bits (a byte compare: element-wise matchers are slow on 460k voxels). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** The result without its timing, which is the only field allowed to differ. */
function numbers(result: Awaited<ReturnType<AnalysisPipeline['scoreStudy']>>) {
  return { ...result, elapsedMs: 0 };
}

describe('mean ± std over seeds', () => {
  it("reconstructs the study's cases at each seed and summarizes each seed's means as fqlab evaluate does", async () => {
    const pipeline = await reconstructed();
    const summary = await pipeline.scoreSeeds(model, request, [1, 2]);
    const runs = [pipeline.score(request), pipeline.score({ ...request, seed: 2 })];
    expect(summary.perSeed.map((s) => [s.seed, s.threshold, s.dice, s.auprc])).toStrictEqual(
      runs.map((r) => [r.key.seed, r.threshold.value, r.mean.dice.mean, r.mean.auprc.mean]),
    );
    expect(summary.mean.dice).toStrictEqual(summarize(runs.map((r) => r.mean.dice.mean)));
    expect(summary.mean.dice.n).toBe(2);
    expect(pipeline.reconstructions.size).toBe(2 * caseIds.length);
  });
});

describe('a PR-case change', () => {
  it('computes only the curve, from the maps the score cached, equal to the curve a full score returns', async () => {
    const pipeline = await reconstructed();
    await pipeline.scoreStudy(request, { pool: threads });
    const misses = pipeline.maps.misses;
    for (const prCaseId of ['val2', 'test1', 'no-such-case']) {
      expect(pipeline.prCurve({ ...request, prCaseId })).toStrictEqual(pipeline.score({ ...request, prCaseId }).prCurve);
    }
    expect(pipeline.maps.misses).toBe(misses);
    expect(pipeline.prCurve({ ...request, prCaseId: 'val2' })?.caseId).toBe('val2');
  });
});

describe('scoreStudy on a pool', () => {
  it('gives the serial score() to the bit on worker threads and in-process, maps included', async () => {
    const serial = await reconstructed();
    const want = serial.score(request);
    for (const pool of [threads, new InProcessScoringPool()]) {
      const pooled = await reconstructed();
      const got = await pooled.scoreStudy(request, { pool });
      expect(numbers(got)).toStrictEqual(numbers(want));
      for (const caseId of caseIds) {
        const layer = { caseId, layer: 'prediction', ...got.key, threshold: got.threshold.value } as const;
        expect(sameBits(pooled.layer(layer).data, serial.layer(layer).data)).toBe(true);
        const fq = { ...layer, layer: 'fq' } as const;
        expect(sameBits(pooled.layer(fq).data, serial.layer(fq).data)).toBe(true);
      }
    }
  });

  it('reports the viewed case, with its map and threshold-free metrics, before the study resolves', async () => {
    const pipeline = await reconstructed();
    const events: string[] = [];
    let viewed: ViewedCaseScore | null = null;
    const study = pipeline.scoreStudy(request, {
      pool: threads,
      onViewedCase: (v) => {
        events.push('viewed');
        viewed = v;
      },
    });
    const result = await study.then((r) => (events.push('study'), r));
    expect(events).toEqual(['viewed', 'study']);
    const got = viewed as unknown as ViewedCaseScore;
    const inStudy = result.cases.find((c) => c.caseId === 'test2');
    expect(got.metrics).toStrictEqual({ ...inStudy, dice: null });
    expect(sameBits(got.map, pipeline.layer({ caseId: 'test2', layer: 'fq', ...result.key, threshold: null }).data)).toBe(true);
  });

  it('a study aborted while its viewed case is scored still reports that case, then rejects (a drag keeps showing maps)', async () => {
    const pipeline = await reconstructed();
    const controller = new AbortController();
    const abortingOnFirstJob: ScoringPool = {
      size: 1,
      run: async (job, signal) => {
        const result = await new InProcessScoringPool().run(job, signal);
        controller.abort(new Error('superseded'));
        return result;
      },
      dispose: () => undefined,
    };
    const reported: string[] = [];
    const study = pipeline.scoreStudy(request, { pool: abortingOnFirstJob, signal: controller.signal, onViewedCase: (v) => reported.push(`${v.metrics.caseId} ${v.key.alpha}`) });
    await expect(study).rejects.toThrow('superseded');
    expect(reported).toEqual(['test2 0.7']);
  });

  it('with holdRestMs, queues the other cases only after the hold: aborted in it, none starts; otherwise the same result', async () => {
    const pipeline = await reconstructed();
    const started: string[] = [];
    const counting: ScoringPool = {
      size: 1,
      run: (job, signal) => (started.push(job.inputsKey), new InProcessScoringPool().run(job, signal)),
      dispose: () => undefined,
    };
    const controller = new AbortController();
    const reported: string[] = [];
    const drag = pipeline.scoreStudy(request, {
      pool: counting,
      signal: controller.signal,
      holdRestMs: 60_000,
      onViewedCase: (v) => {
        reported.push(v.metrics.caseId);
        // The drag's next move arrives while this study holds its other cases.
        setTimeout(() => controller.abort(new Error('superseded')), 0);
      },
    });
    await expect(drag).rejects.toThrow('superseded');
    expect(reported).toEqual(['test2']);
    expect(started).toHaveLength(1);
    started.length = 0;
    const held = await pipeline.scoreStudy({ ...request, alpha: 0.3 }, { pool: counting, holdRestMs: 5 });
    expect(started).toHaveLength(caseIds.length);
    expect(numbers(held)).toStrictEqual(numbers(pipeline.score({ ...request, alpha: 0.3 })));
  });

  it('a case removed while its map is being scored does not get that map cached', async () => {
    const pipeline = await reconstructed();
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: ScoringPool = { size: 1, run: async (job) => (await held, new InProcessScoringPool().run(job)), dispose: () => undefined };
    const study = pipeline.scoreStudy(request, { pool: slow });
    pipeline.removeCase('test1');
    release();
    await study;
    expect(pipeline.maps.size).toBe(caseIds.length - 1);
    expect(pipeline.maps.peek({ ...request, caseId: 'test1' })).toBeUndefined();
  });

  it('an aborted study rejects with the reason and starts no further case; the next request is unaffected', async () => {
    const pipeline = await reconstructed();
    const controller = new AbortController();
    const started: string[] = [];
    const counting: ScoringPool = {
      size: 1,
      run: (job, signal) => {
        started.push(job.settings.score);
        controller.abort(new Error('superseded'));
        return new InProcessScoringPool().run(job, signal);
      },
      dispose: () => undefined,
    };
    await expect(pipeline.scoreStudy(request, { pool: counting, signal: controller.signal })).rejects.toThrow('superseded');
    expect(pipeline.maps.size).toBe(0);
    const after = await pipeline.scoreStudy(request, { pool: threads });
    expect(numbers(after)).toStrictEqual(numbers(pipeline.score(request)));
  });
});
