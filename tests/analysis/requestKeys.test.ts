// Tests that analysis answers depend only on what a request names: a sweep or an earlier layer request never changes a score.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConformedCase } from '../../src/analysis/caseStore.ts';
import { KeyedCache } from '../../src/analysis/keyedCache.ts';
import { AnalysisPipeline, type ScoreRequest } from '../../src/analysis/pipeline.ts';
import { FakeModel, syntheticCase } from './syntheticCases.ts';

let cases: ConformedCase[];

beforeAll(() => {
  cases = [syntheticCase('val1', 'validation', 1, 3), syntheticCase('test1', 'test', 4, 3)];
});

function newPipeline(): AnalysisPipeline {
  const pipeline = new AnalysisPipeline();
  for (const c of cases) pipeline.cases.put(c);
  return pipeline;
}

const caseIds = ['val1', 'test1'];

describe('requests name what they score', () => {
  it('reconstruct at 500, sweep 250 and 750, then score at 500: the metrics and layers of 500', async () => {
    const model = new FakeModel('m');
    const at500: ScoreRequest = { modelId: model.id, noiseLevel: 500, seed: 1, alpha: 0.84, score: 'fq', thresholdSource: 'validation-search' };
    const reference = newPipeline();
    await reference.reconstruct(model, { caseIds, noiseLevel: 500, seed: 1 });
    const want = reference.score(at500);

    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds, noiseLevel: 500, seed: 1 });
    const mapsBefore = pipeline.maps.size;
    await pipeline.sweep(model, { modelId: model.id, seed: 1, alphas: [0.5], noiseLevels: [250, 750], thresholdSource: 'validation-search' });
    expect(pipeline.maps.size).toBe(mapsBefore);
    const got = pipeline.score(at500);
    expect(got.key.noiseLevel).toBe(500);
    expect(got.cases).toEqual(want.cases);
    expect(got.threshold).toEqual(want.threshold);
    expect(got.mean).toEqual(want.mean);
    const layer = { caseId: 'test1', layer: 'prediction', ...got.key, threshold: got.threshold.value } as const;
    expect(pipeline.layer(layer).data).toEqual(reference.layer(layer).data);
  });

  it('a layer for another score kind does not flush the maps a score uses', async () => {
    const model = new FakeModel('m');
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds, noiseLevel: 500, seed: 1 });
    const l1: ScoreRequest = { modelId: model.id, noiseLevel: 500, seed: 1, alpha: 0.84, score: 'l1', thresholdSource: 'manual', manualThreshold: 0.1 };
    const first = pipeline.score(l1);
    expect(pipeline.maps.misses).toBe(2);
    pipeline.layer({ caseId: 'test1', layer: 'fq', ...first.key, threshold: null });
    expect(pipeline.maps.misses).toBe(3);
    // l1 does not depend on alpha: another alpha is the same map.
    expect(pipeline.score({ ...l1, alpha: 0.3 }).cases).toEqual(first.cases);
    expect(pipeline.maps.misses).toBe(3);
  });
});

describe('KeyedCache', () => {
  it('keeps the most recently used entries within its byte budget and drops groups by key', () => {
    const cache = new KeyedCache<{ id: string; group: string }, Float32Array>({ keyString: (k) => k.id, bytesOf: (v) => v.byteLength, maxBytes: 32 });
    const key = (id: string, group = 'a') => ({ id, group });
    cache.set(key('x'), new Float32Array(4));
    cache.set(key('y', 'b'), new Float32Array(4));
    expect(cache.get(key('x'))).toBeDefined();
    cache.set(key('z'), new Float32Array(4));
    expect(cache.peek(key('y'))).toBeUndefined();
    expect([cache.size, cache.byteSize, cache.hits, cache.misses]).toEqual([2, 32, 1, 0]);
    cache.deleteWhere((k) => k.group === 'a');
    expect(cache.size).toBe(0);
    expect(cache.get(key('x'))).toBeUndefined();
    expect(cache.misses).toBe(1);
  });
});
