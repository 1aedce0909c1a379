// Metrics and thresholds against sklearn, the reference pDDPM threshold search and brute force (scripts/fixtures/metrics.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import {
  auroc,
  averagePrecision,
  bestDice,
  binarize,
  countAbove,
  dice,
  evaluateLabelled,
  evaluateVolume,
  exactBestDiceThreshold,
  filteredDice,
  fprThreshold,
  labelsFromSegmentation,
  precisionRecallCurve,
  referenceThresholdSearch,
  referenceThresholdSearchSorted,
  rocCurve,
  sortPooledScores,
  sortScores,
  summarize,
  type ScoredVolume,
} from '../../src/core/metrics/index.ts';
import type { Dims3 } from '../../src/core/volume.ts';

const dir = new URL('../fixtures/metrics/', import.meta.url);

interface Curve {
  [key: string]: number[];
}
interface VolumeCase {
  name: string;
  scores: string;
  labels: string;
  ap: number | null;
  auroc: number | null;
  bestDice: number | null;
  bestDiceThreshold: number;
  pr?: Curve;
  roc?: Curve;
}
interface PooledCase {
  name: string;
  volumes: { scores: string; labels: string }[];
  searchThreshold: number;
  searchDice: number;
  exactThreshold: number;
  exactDice: number;
}
interface Manifest {
  volumes: VolumeCase[];
  pooled: PooledCase[];
  fpr: { maps: string[]; masks: string[]; targets: number[]; thresholds: number[] };
  dice: { pred: number[]; truth: number[]; dice: number | null }[];
  summary: { values: (number | null)[]; mean: number | null; std: number | null; n: number }[];
}

const manifest = JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')) as Manifest;

function bytes(name: string): Uint8Array {
  const buf = readFileSync(new URL(name, dir));
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
const f32 = (name: string): Float32Array => new Float32Array(bytes(name).buffer);
const volume = (c: { scores: string; labels: string }): ScoredVolume => ({ scores: f32(c.scores), labels: bytes(c.labels) });

/** Same number, treating -0 and +0 as equal (thresholds are compared with `>`). */
function expectSame(actual: number, expected: number): void {
  expect(actual + 0).toBe(expected + 0);
}

function expectClose(actual: number | null, expected: number | null, tol = 1e-12): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tol);
}

function expectArrayClose(actual: Float64Array, expected: number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol);
}

describe.each(manifest.volumes)('per-volume metrics vs sklearn: $name', (c) => {
  const { scores, labels } = volume(c);

  it('AUPRC equals average_precision_score, AUROC equals roc_auc_score (null where undefined)', () => {
    expectClose(averagePrecision(scores, labels), c.ap, 1e-12);
    expectClose(auroc(scores, labels), c.auroc, 1e-12);
  });

  it('oracle best Dice and its threshold equal brute force over every distinct score', () => {
    const best = bestDice({ scores, labels });
    expectClose(best.dice, c.bestDice, 0);
    expectSame(best.threshold, c.bestDiceThreshold);
    if (c.bestDice !== null) expect(dice(binarize(scores, best.threshold), labels)).toBe(c.bestDice);
  });

  // Full curves are stored only for the cases where sklearn defines them.
  const { pr: expectedPr, roc: expectedRoc } = c;
  if (expectedPr) {
    it('full precision-recall curve equals precision_recall_curve', () => {
      const pr = precisionRecallCurve(scores, labels, Infinity);
      expectArrayClose(pr.precision, expectedPr.precision);
      expectArrayClose(pr.recall, expectedPr.recall);
      expectArrayClose(pr.thresholds, expectedPr.thresholds, 0);
    });
  }

  if (expectedRoc) {
    it('full ROC curve equals roc_curve(drop_intermediate=False)', () => {
      const roc = rocCurve(scores, labels, Infinity);
      expectArrayClose(roc.fpr, expectedRoc.fpr);
      expectArrayClose(roc.tpr, expectedRoc.tpr);
      expect(roc.thresholds[0]).toBe(Infinity);
      expectArrayClose(roc.thresholds.subarray(1), expectedRoc.thresholds, 0);
    });
  }
});

describe('curve downsampling', () => {
  const c = manifest.volumes.find((v) => v.name === 'random_20k')!;
  const { scores, labels } = volume(c);

  it('keeps at most maxPoints points of the full curve, in order, with both endpoints', () => {
    const full = precisionRecallCurve(scores, labels, Infinity);
    const small = precisionRecallCurve(scores, labels, 200);
    expect(full.precision.length).toBeGreaterThan(10000);
    expect(small.precision.length).toBeLessThanOrEqual(200);
    expect(small.precision.length).toBeGreaterThan(100);
    expect(small.thresholds.length).toBe(small.precision.length - 1);
    let j = 0;
    for (let k = 0; k < small.precision.length; k++) {
      while (j < full.precision.length && !(full.recall[j] === small.recall[k] && full.precision[j] === small.precision[k])) j++;
      expect(j).toBeLessThan(full.precision.length);
      if (k < small.thresholds.length) expect(small.thresholds[k]).toBe(full.thresholds[j]);
    }
    expect([small.precision[0], small.recall[0]]).toEqual([full.precision[0], full.recall[0]]);
    expect([small.precision.at(-1), small.recall.at(-1)]).toEqual([1, 0]);
    const roc = rocCurve(scores, labels, 300);
    expect(roc.fpr.length).toBeLessThanOrEqual(300);
    expect([roc.fpr[0], roc.tpr[0], roc.fpr.at(-1), roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
  });

  it('gives empty curves where they are undefined', () => {
    expect(precisionRecallCurve(scores, new Uint8Array(scores.length)).precision.length).toBe(0);
    expect(rocCurve(scores, new Uint8Array(scores.length).fill(1)).fpr.length).toBe(0);
  });
});

describe.each(manifest.pooled)('pooled validation thresholds: $name', (c) => {
  const volumes = c.volumes.map(volume);

  it('referenceThresholdSearch reproduces the reference find_best_val (float32 comparison)', () => {
    const t = referenceThresholdSearch(volumes);
    expect(t.source).toBe('validation-search');
    expectSame(t.value, c.searchThreshold);
    expect(t.pooledDice).toBe(c.searchDice);
  });

  it('referenceThresholdSearchSorted over each volume sorted on its own gives the same result to the bit', () => {
    const perVolume = volumes.map((v) => sortScores(v.scores, v.labels));
    expect(referenceThresholdSearchSorted(perVolume)).toEqual(referenceThresholdSearch(volumes));
    expect(referenceThresholdSearchSorted(perVolume, 4)).toEqual(referenceThresholdSearch(volumes, 4));
    expectSame(referenceThresholdSearchSorted(perVolume).value, c.searchThreshold);
  });

  it('exactBestDiceThreshold equals brute force over all distinct pooled scores', () => {
    const t = exactBestDiceThreshold(volumes);
    expect(t.source).toBe('exact-best-dice');
    expectSame(t.value, c.exactThreshold);
    expect(t.pooledDice).toBe(c.exactDice);
    expect(t.pooledDice!).toBeGreaterThanOrEqual(referenceThresholdSearch(volumes).pooledDice!);
  });

  it('binarize at the returned thresholds gives the reported pooled Dice', () => {
    const pooled = sortPooledScores(volumes);
    for (const t of [referenceThresholdSearch(volumes), exactBestDiceThreshold(volumes)]) {
      let tp = 0;
      let predicted = 0;
      for (const v of volumes) {
        const pred = binarize(v.scores, t.value);
        for (let i = 0; i < pred.length; i++) {
          predicted += pred[i];
          tp += pred[i] & v.labels[i];
        }
      }
      expect((2 * tp) / (predicted + pooled.positives)).toBe(t.pooledDice);
      expect(countAbove(pooled, t.value)).toEqual({ predicted, truePositives: tp });
    }
  });
});

describe('threshold search edge cases', () => {
  it('refuses a validation set without anomalous voxels', () => {
    const healthy = [{ scores: new Float32Array([0.1, 0.2]), labels: new Uint8Array(2) }];
    expect(() => referenceThresholdSearch(healthy)).toThrow(FqlabError);
    expect(() => exactBestDiceThreshold(healthy)).toThrow(/no validation segmentation/);
    expect(() => referenceThresholdSearchSorted(healthy.map((v) => sortScores(v.scores, v.labels)))).toThrow(/no validation segmentation/);
  });

  it('pools volumes: the result does not depend on how voxels are split into volumes', () => {
    const c = manifest.pooled.find((p) => p.name === 'pooled_three')!;
    const volumes = c.volumes.map(volume);
    const joined: ScoredVolume = {
      scores: Float32Array.from(volumes.flatMap((v) => Array.from(v.scores))),
      labels: Uint8Array.from(volumes.flatMap((v) => Array.from(v.labels))),
    };
    expect(exactBestDiceThreshold([joined])).toEqual(exactBestDiceThreshold(volumes));
    expect(referenceThresholdSearch([joined], 6)).toEqual(referenceThresholdSearch(volumes, 6));
  });
});

describe('FPR-target thresholds on healthy volumes', () => {
  const { maps, masks, targets, thresholds } = manifest.fpr;
  const healthyMaps = maps.map(f32);
  const brainMasks = masks.map(bytes);

  it.each(targets.map((t, i) => [t, thresholds[i]]))('target %s equals the brute-force smallest threshold', (target, expected) => {
    const t = fprThreshold(healthyMaps, brainMasks, target);
    expect(t).toEqual({ value: t.value, source: 'fpr-target', fprTarget: target });
    expectSame(t.value, expected);
  });

  it('rejects bad targets, mismatched grids and empty masks', () => {
    expect(() => fprThreshold(healthyMaps, brainMasks, 1)).toThrow(/FPR target/);
    expect(() => fprThreshold(healthyMaps, brainMasks.slice(1), 0.05)).toThrow(FqlabError);
    expect(() => fprThreshold([new Float32Array(3)], [new Uint8Array(2)], 0.05)).toThrow(/same grid/);
    expect(() => fprThreshold([new Float32Array(3)], [new Uint8Array(3)], 0.05)).toThrow(/no voxel/);
  });
});

describe('dice and labels', () => {
  it.each(manifest.dice)('matches numpy Dice (null for an empty segmentation) #%#', (c) => {
    expect(dice(Uint8Array.from(c.pred), Uint8Array.from(c.truth))).toBe(c.dice);
  });

  it('labels any nonzero segmentation value as anomalous', () => {
    expect(Array.from(labelsFromSegmentation([0, 2, 1, -1, 0.5, NaN]))).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('binarize is strict: score > threshold', () => {
    expect(Array.from(binarize(new Float32Array([0.1, 0.5, 0.9]), 0.5))).toEqual([0, 0, 1]);
  });
});

describe('sortScores counts zero scores instead of sorting them', () => {
  /** _binary_clf_curve by brute force: distinct scores descending (-0 as +0), voxels >= each by class. */
  function bruteForce(scores: Float32Array, labels: Uint8Array): { thresholds: number[]; tp: number[]; fp: number[] } {
    const thresholds = [...new Set(Array.from(scores, (v) => v + 0))].sort((a, b) => b - a);
    const count = (t: number, label: number): number =>
      scores.reduce((n, v, i) => n + (v >= t && (labels[i] !== 0 ? 1 : 0) === label ? 1 : 0), 0);
    return { thresholds, tp: thresholds.map((t) => count(t, 1)), fp: thresholds.map((t) => count(t, 0)) };
  }

  it.each([
    ['zeros between negative and positive scores, both signs of zero', [0.5, -0, 0, -0.25, 0, 0.5, -0.25, 0, 1e-30, -1e-30]],
    ['only zeros', [0, -0, 0, 0]],
    ['no zeros', [0.3, 0.1, 0.3, 0.2]],
    ['zeros below every other score', [0, 0.2, 0, 0.7, 0]],
    ['zeros above every other score', [-0.4, 0, -0.1, -0, -0.4]],
  ])('%s', (_label, values) => {
    const scores = Float32Array.from(values);
    for (const labels of [Uint8Array.from(values, (_, i) => i % 2), Uint8Array.from(values, (_, i) => (i % 3 === 0 ? 1 : 0))]) {
      const sorted = sortScores(scores, labels);
      const want = bruteForce(scores, labels);
      expect(Array.from(sorted.thresholds, (v) => v + 0)).toEqual(want.thresholds);
      expect(Array.from(sorted.truePositives)).toEqual(want.tp);
      expect(Array.from(sorted.falsePositives)).toEqual(want.fp);
      expect(Object.is(sorted.thresholds[sorted.thresholds.indexOf(0)], -0)).toBe(false);
    }
  });
});

describe('input checks', () => {
  it('rejects NaN and infinite scores and mismatched lengths', () => {
    expect(() => averagePrecision(new Float32Array([0.1, NaN]), new Uint8Array([0, 1]))).toThrow(/NaN or infinite/);
    expect(() => auroc(new Float32Array([0.1, Infinity]), new Uint8Array([0, 1]))).toThrow(FqlabError);
    expect(() => sortScores(new Float32Array(3), new Uint8Array(2))).toThrow(/same grid/);
    expect(() => dice(new Uint8Array(3), new Uint8Array(2))).toThrow(FqlabError);
  });

  it('handles empty inputs', () => {
    expect(averagePrecision(new Float32Array(0), new Uint8Array(0))).toBeNull();
    expect(bestDice({ scores: new Float32Array(0), labels: new Uint8Array(0) })).toEqual({ dice: null, threshold: 0 });
  });
});

describe('summarize', () => {
  it.each(manifest.summary)('matches numpy mean and population std, ignoring nulls #%#', (c) => {
    const s = summarize(c.values);
    expect(s.n).toBe(c.n);
    expectClose(s.mean, c.mean, 1e-15);
    expectClose(s.std, c.std, 1e-15);
  });

  it('ignores NaN like np.nanmean', () => {
    expect(summarize([NaN, 1, 3])).toEqual({ mean: 2, std: 1, n: 2 });
  });
});

describe('evaluateVolume', () => {
  const dims: Dims3 = [20, 20, 10];
  const at = (i: number, j: number, k: number): number => i + dims[0] * (j + dims[1] * k);
  const seg = new Uint8Array(20 * 20 * 10);
  const map = new Float32Array(seg.length);
  for (let k = 3; k < 6; k++) {
    for (let j = 5; j < 8; j++) {
      for (let i = 5; i < 8; i++) {
        seg[at(i, j, k)] = 2;
        map[at(i, j, k)] = 0.9;
      }
    }
  }
  // A 2-voxel false-positive blob far from the lesion, brighter than it.
  map[at(15, 15, 8)] = 0.95;
  map[at(16, 15, 8)] = 0.95;

  it('drops a tiny isolated false-positive blob before Dice (3D components of <= 7 voxels)', () => {
    const m = evaluateVolume(map, seg, dims, 0.5);
    const labels = labelsFromSegmentation(seg);
    expect(dice(binarize(map, 0.5), labels)).toBeCloseTo((2 * 27) / (29 + 27), 15);
    expect(m.dice).toBe(1);
    expect(filteredDice(map, 0.5, labels, dims)).toBe(1);
    // A caller's own count of lesion voxels (27) stands in for counting the labels.
    expect(filteredDice(map, 0.5, labels, dims, 27)).toBe(1);
    // Above the lesion only the 2-voxel blob is left, and the filter removes it.
    expect(filteredDice(map, 0.92, labels, dims)).toBe(0);
    expect(filteredDice(map, 0.5, new Uint8Array(seg.length), dims)).toBeNull();
  });

  it('reports AUPRC, AUROC and the oracle best Dice from one sort, Dice null without a threshold', () => {
    const labels = labelsFromSegmentation(seg);
    const m = evaluateVolume(map, seg, dims);
    expect(m.dice).toBeNull();
    expect(m.auprc).toBe(averagePrecision(map, labels));
    expect(m.auroc).toBe(auroc(map, labels));
    expect(m.bestDice).toBe(bestDice({ scores: map, labels }).dice);
    // The 2 brighter false positives rank first: P = 27/29 at full recall.
    expect(m.auprc).toBeCloseTo(27 / 29, 15);
    expect(m.auroc).toBe(1 - 2 / (seg.length - 27));
  });

  it('gives nulls for a volume without anomalous voxels, and checks the grid', () => {
    expect(evaluateVolume(map, new Uint8Array(seg.length), dims, 0.5)).toEqual({
      auprc: null,
      auroc: null,
      bestDice: null,
      dice: null,
    });
    expect(() => evaluateVolume(map, seg, [20, 20, 9])).toThrow(/grid/);
  });

  it('evaluateLabelled gives the same metrics from labels derived once, and checks the grid', () => {
    const labels = labelsFromSegmentation(seg);
    expect(evaluateLabelled(map, labels, dims, 0.5)).toEqual(evaluateVolume(map, seg, dims, 0.5));
    expect(evaluateLabelled(map, labels, dims)).toEqual(evaluateVolume(map, seg, dims));
    expect(() => evaluateLabelled(map, labels.subarray(1), dims)).toThrow(/grid/);
  });
});
