// Metrics and sweep exports name the model's AIR decision and every case's read-time smoothing (src/ui/export/metricsTable.ts).
import { describe, expect, it } from 'vitest';
import { evaluationCsv, evaluationJson, metricsProvenance, sweepCsv } from '../../src/ui/export/metricsTable.ts';
import type { CaseInfo, EvaluationResult, ModelInfo } from '../../workers/api.ts';

const model = { airApplied: true, airMode: 'modality', smoothing: { timeStep: 0.125, iterations: 3 } } as ModelInfo;
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
  const provenance = metricsProvenance(model, [caseInfo('a', true), caseInfo('b', false)]);

  it('write AIR and smoothing in every CSV row, per case and for the mean', () => {
    const rows = evaluationCsv(evaluation, provenance).trim().split('\n');
    expect(rows[0].split(',').slice(-2)).toEqual(['air', 'smoothing']);
    expect(rows[1]).toMatch(/^a,test,.*,AIR on \(modality\),curvature flow 0\.125 x 3$/);
    expect(rows[2]).toMatch(/^b,test,.*,AIR on \(modality\),no smoothing$/);
    expect(rows[3]).toMatch(/^mean,.*,curvature flow 0\.125 x 3 \/ no smoothing$/);
  });

  it('record them in the JSON and the sweep CSV, and leave AIR empty without a model', () => {
    const json = JSON.parse(evaluationJson(evaluation, provenance)) as { air: string; smoothing: Record<string, string> };
    expect(json.air).toBe('AIR on (modality)');
    expect(json.smoothing).toEqual({ a: 'curvature flow 0.125 x 3', b: 'no smoothing' });
    const sweep = sweepCsv({ cells: [{ alpha: 0.5, noiseLevel: 500, dice: 0.1, auprc: 0.2 }], best: null }, metricsProvenance(null, [caseInfo('a', false)]));
    expect(sweep).toBe('alpha,noise_level,dice,auprc,air,smoothing\n0.5,500,0.1,0.2,,no smoothing\n');
  });
});
