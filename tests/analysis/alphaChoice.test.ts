// Tests the alpha source (chosen on lesion validation cases over PAPER_PROTOCOL.alphaGrid, never on test) and the FQ map's structural terms in the pipeline.
import { beforeAll, describe, expect, it } from 'vitest';
import { alphaObjective, bestGridAlpha } from '../../src/analysis/alphaChoice.ts';
import type { ConformedCase } from '../../src/analysis/caseStore.ts';
import { AnalysisPipeline, type ScoreRequest } from '../../src/analysis/pipeline.ts';
import { InProcessScoringPool } from '../../src/analysis/scoringPool.ts';
import type { ScoredCase } from '../../src/analysis/thresholdChoice.ts';
import { exactBestDiceThreshold } from '../../src/core/metrics/index.ts';
import { postprocessMap } from '../../src/core/postprocess/index.ts';
import { PAPER_PROTOCOL } from '../../src/core/protocol.ts';
import { fqMap, gmsLossMap, l1Map } from '../../src/core/quality/index.ts';
import { FakeModel, syntheticCase } from './syntheticCases.ts';

/** A tiny scored case: 4 voxels on a 4x1x1 grid. */
function tinyCase(caseId: string, split: ConformedCase['split'], map: number[], labels: number[]): ScoredCase {
  const anomalousVoxels = labels.reduce((sum, v) => sum + v, 0);
  const conformed = { caseId, split, anomalousVoxels, labels: Uint8Array.from(labels), image: { dims: [4, 1, 1] } } as unknown as ConformedCase;
  return { conformed, map: Float32Array.from(map) };
}

describe('alphaObjective and bestGridAlpha', () => {
  const validation = tinyCase('v', 'validation', [0.9, 0.8, 0.2, 0.1], [1, 0, 0, 0]);

  it('scores only lesion validation cases: test labels and maps never change it', () => {
    const withTest = (labels: number[]) => [validation, tinyCase('t', 'test', [0.5, 0.4, 0.3, 0.9], labels), tinyCase('h', 'validation', [1, 1, 1, 1], [0, 0, 0, 0])];
    for (const source of ['val-dice', 'val-auprc'] as const) {
      const alone = alphaObjective(source, [validation]);
      expect(alphaObjective(source, withTest([1, 1, 0, 0]))).toBe(alone);
      expect(alphaObjective(source, withTest([0, 0, 0, 1]))).toBe(alone);
    }
    expect(alphaObjective('val-dice', [validation])).toBe(exactBestDiceThreshold([{ scores: validation.map, labels: Uint8Array.of(1, 0, 0, 0) }]).pooledDice);
    expect(alphaObjective('val-auprc', [validation])).toBe(1);
    expect(alphaObjective('val-dice', [tinyCase('t', 'test', [1, 0, 0, 0], [1, 0, 0, 0])])).toBeNull();
  });

  it('picks the first grid alpha with the highest objective, none when no objective is defined', () => {
    expect(bestGridAlpha([0, 0.5, 1], [0.2, 0.7, 0.7])).toBe(0.5);
    expect(bestGridAlpha([0, 0.5, 1], [null, 0.1, null])).toBe(0.5);
    expect(bestGridAlpha([0, 0.5], [null, null])).toBeNull();
  });
});

describe('the alpha source in the pipeline', () => {
  let validationCase: ConformedCase;
  /** The validation case and test case 'test1' (seed 4), reconstructed: shared, as every test only reads it. */
  let shared: Promise<AnalysisPipeline>;
  const model = new FakeModel('m');
  const request: ScoreRequest = { modelId: 'm', noiseLevel: 500, seed: 1, alpha: 0.84, score: 'fq', thresholdSource: 'validation-search', alphaSource: 'val-dice' };

  beforeAll(() => {
    validationCase = syntheticCase('val1', 'validation', 1, 3);
    shared = pipelineWith(syntheticCase('test1', 'test', 4, 3));
  });

  async function pipelineWith(test: ConformedCase): Promise<AnalysisPipeline> {
    const pipeline = new AnalysisPipeline();
    for (const c of [validationCase, test]) pipeline.cases.put(c);
    await pipeline.reconstruct(model, { caseIds: ['val1', 'test1'], noiseLevel: 500, seed: 1 });
    return pipeline;
  }

  it('chooses alpha on the validation case, the same on the pool, whatever the test case holds; the threshold follows at it', async () => {
    const serial = (await shared).score(request);
    const choice = serial.alphaChoice;
    expect(choice.source).toBe('val-dice');
    expect(choice.grid).toEqual(PAPER_PROTOCOL.alphaGrid);
    const objective = choice.objective as number[];
    expect(new Set(objective).size).toBeGreaterThan(1);
    expect(choice.value).toBe(PAPER_PROTOCOL.alphaGrid[objective.indexOf(Math.max(...objective))]);
    expect(serial.key.alpha).toBe(choice.value);

    // Another test case (other lesions, other labels) and the pooled path: the same alpha, threshold and validation Dice.
    const other = await pipelineWith(syntheticCase('test1', 'test', 9, 1));
    const pooled = await other.scoreStudy(request, { pool: new InProcessScoringPool() });
    expect(pooled.alphaChoice).toStrictEqual(choice);
    expect(pooled.threshold).toStrictEqual(serial.threshold);
    expect(pooled.threshold).toStrictEqual(other.score({ ...request, alphaSource: 'fixed', alpha: choice.value }).threshold);
  });

  it('keeps the request alpha when fixed, and for a score alpha does not change', async () => {
    const pipeline = await shared;
    expect(pipeline.score({ ...request, alphaSource: 'fixed', alpha: 0.3 }).alphaChoice).toStrictEqual({ value: 0.3, source: 'fixed', grid: null, objective: null });
    expect(pipeline.score({ ...request, score: 'l1' }).alphaChoice.source).toBe('fixed');
  });

  it('scores FQ with the GMS loss as its structural term when asked, keyed apart from SSIM', async () => {
    const pipeline = await shared;
    const key = { modelId: 'm', noiseLevel: 500, seed: 1, alpha: 0.5, score: 'fq' as const, threshold: null };
    const gmsd = pipeline.layer({ ...key, caseId: 'val1', layer: 'fq', structural: 'gmsd' }).data;
    const recon = await new FakeModel('reference').reconstruct(validationCase.image, 500, 1);
    const x = validationCase.image.data;
    const direct = postprocessMap(fqMap(gmsLossMap(x, recon, validationCase.image.dims), l1Map(x, recon), 0.5), validationCase.brainMask.data, validationCase.image.dims);
    expect(Buffer.from(gmsd.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
    const ssim = pipeline.layer({ ...key, caseId: 'val1', layer: 'fq' }).data;
    expect(Buffer.from(ssim.buffer).equals(Buffer.from(gmsd.buffer))).toBe(false);
    expect(pipeline.score({ ...request, alphaSource: 'fixed', structural: 'gmsd' }).key.structural).toBe('gmsd');
  });
});
