// Tests the shared analysis pipeline against the science core called directly: scoring, caching, AIR, thresholds, sweep.
import { beforeAll, describe, expect, it } from 'vitest';
import { AnalysisPipeline } from '../../src/analysis/pipeline.ts';
import { airTransform } from '../../src/core/air.ts';
import {
  evaluateVolume,
  exactBestDiceThreshold,
  fprThreshold,
  precisionRecallCurve,
  referenceThresholdSearch,
  summarize,
  labelsFromSegmentation,
} from '../../src/core/metrics/index.ts';
import { erodeMask2D, postprocessMap, removeSmallComponents } from '../../src/core/postprocess/index.ts';
import { fqMap, l1Map, ssimLossMap } from '../../src/core/quality/index.ts';
import type { ConformedCase } from '../../src/analysis/caseStore.ts';
import type { SweepRequest } from '../../src/analysis/pipeline.ts';
import { FakeModel, syntheticCase } from './syntheticCases.ts';

let cases: ConformedCase[];

beforeAll(() => {
  cases = [
    syntheticCase('val1', 'validation', 1, 3),
    syntheticCase('val2', 'validation', 2, 2),
    syntheticCase('healthy1', 'validation', 3, 0),
    syntheticCase('test1', 'test', 4, 3),
    syntheticCase('train1', 'healthy-train', 5, 0),
  ];
});

function newPipeline(): AnalysisPipeline {
  const pipeline = new AnalysisPipeline();
  for (const c of cases) pipeline.cases.put(c);
  return pipeline;
}

/** The SPEC 4-5 chain written out with core functions only (the reference for the pipeline). */
async function directMaps(model: FakeModel, alpha: number, noiseLevel: number, seed: number): Promise<Map<string, Float32Array>> {
  const maps = new Map<string, Float32Array>();
  for (const c of cases) {
    const input = model.airApplied ? airTransform(c.image.data, c.brainMask.data) : c.image.data;
    const recon = await model.reconstruct({ ...c.image, data: input }, noiseLevel, seed);
    const fq = fqMap(ssimLossMap(input, recon, c.image.dims), l1Map(input, recon), alpha);
    maps.set(c.caseId, postprocessMap(fq, c.brainMask.data, c.image.dims));
  }
  return maps;
}

const allIds = (): string[] => cases.map((c) => c.caseId);
/** The reconstructions a request scores: the model's, at a noise level and seed. */
const at = (model: FakeModel, noiseLevel: number, seed: number) => ({ modelId: model.id, noiseLevel, seed });

describe('AnalysisPipeline.score', () => {
  it('matches the core functions called directly (validation-search threshold, per-case metrics, means, PR curve)', async () => {
    const model = new FakeModel('m1');
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: allIds(), noiseLevel: 500, seed: 7 });
    const result = pipeline.score({ ...at(model, 500, 7), alpha: 0.84, score: 'fq', thresholdSource: 'validation-search' });

    const maps = await directMaps(new FakeModel('reference'), 0.84, 500, 7);
    const validation = ['val1', 'val2'].map((id) => ({
      scores: maps.get(id) as Float32Array,
      labels: labelsFromSegmentation(cases.find((c) => c.caseId === id)?.seg?.data as Float32Array),
    }));
    const threshold = referenceThresholdSearch(validation);
    expect(result.threshold).toEqual(threshold);
    expect(result.cases.map((c) => c.caseId)).toEqual(allIds());
    for (const c of cases) {
      const got = result.cases.find((m) => m.caseId === c.caseId);
      if (!c.seg) {
        expect(got).toEqual({ caseId: c.caseId, split: c.split, auprc: null, auroc: null, dice: null, bestDiceOracle: null });
        continue;
      }
      const want = evaluateVolume(maps.get(c.caseId) as Float32Array, c.seg.data, c.image.dims, threshold.value);
      expect(got).toEqual({ caseId: c.caseId, split: c.split, auprc: want.auprc, auroc: want.auroc, dice: want.dice, bestDiceOracle: want.bestDice });
    }
    expect(result.meanOver).toBe('test');
    const test = result.cases.filter((c) => c.split === 'test');
    expect(result.mean.auprc).toEqual(summarize(test.map((c) => c.auprc)));
    expect(result.mean.dice.n).toBe(1);
    const test1 = cases[3];
    const curve = precisionRecallCurve(maps.get('test1') as Float32Array, test1.labels as Uint8Array, 300);
    expect(result.prCurve).toEqual({ caseId: 'test1', precision: Array.from(curve.precision), recall: Array.from(curve.recall) });
    // The fake healer finds the bright blobs: scores must be clearly better than chance.
    expect(result.mean.auprc.mean).toBeGreaterThan(0.3);
  });

  it('rescoring at a new alpha reuses the cached reconstructions and matches a direct computation', async () => {
    const model = new FakeModel('m2');
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: allIds(), noiseLevel: 500, seed: 1 });
    expect(model.calls).toBe(cases.length);
    pipeline.score({ ...at(model, 500, 1), alpha: 0.84, score: 'fq', thresholdSource: 'exact-best-dice' });
    const started = performance.now();
    const result = pipeline.score({ ...at(model, 500, 1), alpha: 0.3, score: 'fq', thresholdSource: 'exact-best-dice' });
    const perVolumeMs = (performance.now() - started) / cases.length;
    expect(model.calls).toBe(cases.length);
    // Reconstructing again at the same key is a cache hit, not a model call.
    await pipeline.reconstruct(model, { caseIds: allIds(), noiseLevel: 500, seed: 1 });
    expect(model.calls).toBe(cases.length);
    expect(pipeline.reconstructions.hits).toBeGreaterThanOrEqual(cases.length);

    const maps = await directMaps(new FakeModel('reference'), 0.3, 500, 1);
    const test1 = cases[3];
    const want = evaluateVolume(maps.get('test1') as Float32Array, test1.seg?.data as Float32Array, test1.image.dims, result.threshold.value as number);
    expect(result.cases[3].auprc).toBe(want.auprc);
    expect(result.cases[3].dice).toBe(want.dice);
    console.log(`alpha rescoring: ${perVolumeMs.toFixed(0)} ms per 96x96x50 volume (Node, this machine)`);
  });

  it('a new noise level or seed is a new reconstruction; a score says which one it scores', async () => {
    const model = new FakeModel('m3');
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 500, seed: 1 });
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 750, seed: 1 });
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 750, seed: 2 });
    expect(model.calls).toBe(3);
    const settings = { alpha: 0.84, score: 'fq', thresholdSource: 'manual', manualThreshold: 0.1 } as const;
    const scores = [at(model, 500, 1), at(model, 750, 1), at(model, 750, 2)].map((key) => pipeline.score({ ...key, ...settings }));
    expect(scores.map((s) => s.cases.map((c) => c.caseId))).toEqual([['test1'], ['test1'], ['test1']]);
    expect(scores.map((s) => [s.key.noiseLevel, s.key.seed])).toEqual([[500, 1], [750, 1], [750, 2]]);
    expect(new Set(scores.map((s) => s.cases[0].auprc)).size).toBe(3);
    // The validation and test cases left out are named (healthy-train ones never count).
    expect(scores[0].notReconstructed).toEqual(['val1', 'val2', 'healthy1']);
    await pipeline.reconstruct(model, { caseIds: allIds(), noiseLevel: 500, seed: 1 });
    expect(pipeline.score({ ...at(model, 500, 1), ...settings }).notReconstructed).toEqual([]);
    expect(() => pipeline.score({ ...at(model, 250, 1), ...settings })).toThrow(/no case is reconstructed with this model at noise level 250/);
  });

  it('with AIR on, the model sees the AIR-transformed image and the map compares against it', async () => {
    const model = new FakeModel('air', true);
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 500, seed: 3 });
    const test1 = cases[3];
    const airInput = airTransform(test1.image.data, test1.brainMask.data);
    expect(model.inputs[0]).toEqual(airInput);
    const result = pipeline.score({ ...at(model, 500, 3), alpha: 0.84, score: 'fq', thresholdSource: 'manual', manualThreshold: 0.05 });
    const recon = await new FakeModel('reference', true).reconstruct({ ...test1.image, data: airInput }, 500, 3);
    const map = postprocessMap(fqMap(ssimLossMap(airInput, recon, test1.image.dims), l1Map(airInput, recon), 0.84), test1.brainMask.data, test1.image.dims);
    expect(result.cases[0].auprc).toBe(evaluateVolume(map, test1.seg?.data as Float32Array, test1.image.dims).auprc);
  });

  it('ssim and l1 score kinds use the cached maps as they are', async () => {
    const model = new FakeModel('kinds');
    const pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 500, seed: 1 });
    const test1 = cases[3];
    const recon = await new FakeModel('reference').reconstruct(test1.image, 500, 1);
    for (const score of ['ssim', 'l1'] as const) {
      const raw = score === 'ssim' ? ssimLossMap(test1.image.data, recon, test1.image.dims) : l1Map(test1.image.data, recon);
      const want = evaluateVolume(postprocessMap(raw, test1.brainMask.data, test1.image.dims), test1.seg?.data as Float32Array, test1.image.dims);
      const got = pipeline.score({ ...at(model, 500, 1), alpha: 0.84, score, thresholdSource: 'manual', manualThreshold: 0.1 });
      expect(got.cases[0].auprc).toBe(want.auprc);
    }
  });
});

describe('threshold sources', () => {
  let pipeline: AnalysisPipeline;
  let model: FakeModel;
  let maps: Map<string, Float32Array>;

  beforeAll(async () => {
    model = new FakeModel('thresholds');
    pipeline = newPipeline();
    await pipeline.reconstruct(model, { caseIds: allIds(), noiseLevel: 500, seed: 11 });
    maps = await directMaps(new FakeModel('reference'), 0.84, 500, 11);
  });

  const validationVolumes = () =>
    ['val1', 'val2'].map((id) => ({ scores: maps.get(id) as Float32Array, labels: cases.find((c) => c.caseId === id)?.labels as Uint8Array }));

  it('exact-best-dice is the core exact threshold on pooled validation cases', () => {
    const result = pipeline.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'exact-best-dice' });
    expect(result.threshold).toEqual(exactBestDiceThreshold(validationVolumes()));
  });

  it('fpr-target uses the healthy validation cases inside their eroded brain masks', () => {
    const result = pipeline.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'fpr-target', fprTarget: 0.01 });
    const healthy = cases[2];
    const want = fprThreshold([maps.get('healthy1') as Float32Array], [erodeMask2D(healthy.brainMask.data, healthy.image.dims, 3)], 0.01);
    expect(result.threshold).toEqual(want);
    const test1 = cases[3];
    const dice = evaluateVolume(maps.get('test1') as Float32Array, test1.seg?.data as Float32Array, test1.image.dims, want.value).dice;
    expect(result.cases[3].dice).toBe(dice);
  });

  it('manual passes the value through; a missing one gives no threshold and null Dice', () => {
    const manual = pipeline.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'manual', manualThreshold: 0.07 });
    expect(manual.threshold).toEqual({ value: 0.07, source: 'manual' });
    const missing = pipeline.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'manual' });
    expect(missing.threshold.value).toBeNull();
    expect(missing.threshold.note).toMatch(/manual threshold/);
    expect(missing.cases.every((c) => c.dice === null)).toBe(true);
    expect(missing.cases[3].auprc).not.toBeNull();
  });

  it('without validation lesions the validation search says what is missing instead of tuning on test', async () => {
    const only = new AnalysisPipeline();
    only.cases.put(cases[3]);
    await only.reconstruct(model, { caseIds: ['test1'], noiseLevel: 500, seed: 11 });
    const result = only.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'validation-search' });
    expect(result.threshold.value).toBeNull();
    expect(result.threshold.note).toMatch(/validation case with lesions/);
    expect(result.cases[0].dice).toBeNull();
  });

  it('the prediction layer is the map above the threshold without small components', () => {
    const result = pipeline.score({ ...at(model, 500, 11), alpha: 0.84, score: 'fq', thresholdSource: 'exact-best-dice' });
    const key = { ...at(model, 500, 11), score: 'fq', alpha: 0.84 } as const;
    const layer = pipeline.layer({ caseId: 'test1', layer: 'prediction', ...key, threshold: result.threshold.value });
    const test1 = cases[3];
    const map = maps.get('test1') as Float32Array;
    const want = removeSmallComponents(Uint8Array.from(map, (v) => (v > (result.threshold.value as number) ? 1 : 0)), test1.image.dims);
    expect(Array.from(layer.data)).toEqual(Array.from(want));
    expect(Array.from(pipeline.layer({ caseId: 'test1', layer: 'fq', ...key, threshold: null }).data)).toEqual(Array.from(map));
  });
});

describe('AnalysisPipeline.sweep', () => {
  it('fills the alpha x noise grid, reconstructing once per noise level and case', async () => {
    const model = new FakeModel('sweep');
    const pipeline = newPipeline();
    const progress: number[] = [];
    const request: SweepRequest = { modelId: model.id, seed: 5, alphas: [0, 0.5, 0.84], noiseLevels: [250, 500], thresholdSource: 'validation-search' };
    const result = await pipeline.sweep(model, request, (p) => progress.push(p.done / p.total));
    const evaluated = cases.filter((c) => c.split !== 'healthy-train').length;
    expect(model.calls).toBe(2 * evaluated);
    expect(result.cells.map((c) => [c.noiseLevel, c.alpha])).toEqual([
      [250, 0],
      [250, 0.5],
      [250, 0.84],
      [500, 0],
      [500, 0.5],
      [500, 0.84],
    ]);
    expect(progress[progress.length - 1]).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);

    // One cell against the pipeline's own score at the same settings.
    await pipeline.reconstruct(model, { caseIds: allIds().filter((id) => id !== 'train1'), noiseLevel: 500, seed: 5 });
    const scored = pipeline.score({ ...at(model, 500, 5), alpha: 0.5, score: 'fq', thresholdSource: 'validation-search' });
    const cell = result.cells.find((c) => c.noiseLevel === 500 && c.alpha === 0.5);
    expect(cell?.dice).toBe(scored.mean.dice.mean);
    expect(cell?.auprc).toBe(scored.mean.auprc.mean);
    const best = result.cells.reduce((a, b) => ((b.dice ?? -1) > (a.dice ?? -1) ? b : a));
    expect(result.best?.dice).toBe(best.dice);
  });
});
