// Metrics and sweep exports name the model, its AIR decision, the scoring, every case's read-time smoothing and the app version (src/ui/export/metricsTable.ts).
import { describe, expect, it } from 'vitest';
import { evaluationCsv, evaluationJson, metricsProvenance, sweepCsv } from '../../src/ui/export/metricsTable.ts';
import type { CaseInfo, EvaluationResult, ModelInfo } from '../../workers/api.ts';

const model = {
  modelId: 'model-1f0c9a33d2b4e870-311204', method: 'pddpm', preset: 'tiny', step: 600, airApplied: true, airMode: 'modality', smoothing: { timeStep: 0.125, iterations: 3 },
} as ModelInfo;
const caseInfo = (caseId: string, smoothed: boolean) => ({ caseId, smoothing: smoothed ? { timeStep: 0.125, iterations: 3 } : null }) as CaseInfo;
const summary = (mean: number) => ({ mean, std: 0, n: 1 });
const evaluation = {
  key: { modelId: 'model-x', noiseLevel: 750, seed: 1, score: 'fq', alpha: 0.84 },
  threshold: { value: 0.2, source: 'validation-search' },
  cases: [
    { caseId: 'a', split: 'test', dice: 0.5, auprc: 0.4, auroc: 0.9, bestDiceOracle: 0.6 },
    { caseId: 'b', split: 'test', dice: 0.3, auprc: 0.2, auroc: 0.8, bestDiceOracle: 0.4 },
  ],
  mean: { dice: summary(0.4), auprc: summary(0.3), auroc: summary(0.85), bestDiceOracle: summary(0.5) },
} as unknown as EvaluationResult;

describe('metrics exports', () => {
  const provenance = metricsProvenance(model, [caseInfo('a', true), caseInfo('b', false)], '0.1.0');
  const run = ',1,fq,pddpm,tiny,600,model-1f0c9a33d2b4e870-311204,0.1.0,fixed,ssim';

  it('write the scoring, threshold, AIR, smoothing, model and app version in every CSV row, per case and for the mean', () => {
    const rows = evaluationCsv(evaluation, provenance).trim().split('\n');
    expect(rows[0]).toBe(
      'case,split,dice,auprc,auroc,best_dice_oracle,alpha,noise_level,threshold,threshold_source,air,smoothing,seed,score,method,preset,training_step,checkpoint,app_version,alpha_source,structural',
    );
    expect(rows[1]).toBe(`a,test,0.5,0.4,0.9,0.6,0.84,750,0.2,validation-search,AIR on (modality),curvature flow 0.125 x 3${run}`);
    expect(rows[2]).toBe(`b,test,0.3,0.2,0.8,0.4,0.84,750,0.2,validation-search,AIR on (modality),no smoothing${run}`);
    expect(rows[3]).toBe(`mean,,0.4,0.3,0.85,0.5,0.84,750,0.2,validation-search,AIR on (modality),curvature flow 0.125 x 3 / no smoothing${run}`);
  });

  it('give the JSON the whole record', () => {
    const json = JSON.parse(evaluationJson(evaluation, provenance)) as { provenance: unknown };
    expect(json.provenance).toEqual({
      appVersion: '0.1.0', method: 'pddpm', preset: 'tiny', trainingStep: 600, checkpoint: 'model-1f0c9a33d2b4e870-311204', air: 'AIR on (modality)',
      score: 'fq', alpha: 0.84, alphaSource: 'fixed', structural: 'ssim', noiseLevel: 750, seed: 1, threshold: 0.2, thresholdSource: 'validation-search',
    });
  });

  it('record them in the JSON and the sweep CSV, and leave AIR empty without a model', () => {
    const json = JSON.parse(evaluationJson(evaluation, provenance)) as { air: string; smoothing: Record<string, string> };
    expect(json.air).toBe('AIR on (modality)');
    expect(json.smoothing).toEqual({ a: 'curvature flow 0.125 x 3', b: 'no smoothing' });
    const cells = [{ alpha: 0.5, noiseLevel: 500, dice: 0.1, auprc: 0.2 }];
    const sweep = sweepCsv({ cells, structural: 'gmsd', best: null }, metricsProvenance(null, [caseInfo('a', false)]));
    expect(sweep).toBe('alpha,noise_level,dice,auprc,air,smoothing,structural\n0.5,500,0.1,0.2,,no smoothing,gmsd\n');
  });
});
