// Timings of the evaluation metrics on 96 x 96 x 50 maps (run: npx tsx bench/metrics.bench.ts).
import {
  auroc,
  averagePrecision,
  bestDice,
  evaluateVolume,
  exactBestDiceThreshold,
  fprThreshold,
  precisionRecallCurve,
  referenceThresholdSearch,
  sortScores,
  type ScoredVolume,
} from '../src/core/metrics/index.ts';
import type { Dims3 } from '../src/core/volume.ts';
import { seededRandom } from '../tests/support/seededRandom.ts';

const dims: Dims3 = [96, 96, 50];
const n = dims[0] * dims[1] * dims[2];

/** A map like a post-processed FQ map: zero background, noisy brain, brighter spherical lesion. */
function syntheticVolume(seed: number, lesion: boolean): { map: Float32Array; seg: Uint8Array } {
  const rand = seededRandom(seed);
  const map = new Float32Array(n);
  const seg = new Uint8Array(n);
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        const idx = i + dims[0] * (j + dims[1] * k);
        const brain = ((i - 48) / 40) ** 2 + ((j - 48) / 44) ** 2 + ((k - 25) / 22) ** 2 < 1;
        if (!brain) continue;
        const inLesion = lesion && (i - 60) ** 2 + (j - 40) ** 2 + (k - 28) ** 2 < 64;
        seg[idx] = inLesion ? 1 : 0;
        map[idx] = 0.05 * rand() + (inLesion ? 0.08 * rand() + 0.02 : 0);
      }
    }
  }
  return { map, seg };
}

function time(label: string, f: () => unknown, repeats = 5): void {
  f(); // warm-up (JIT)
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} median ${times[repeats >> 1].toFixed(1).padStart(7)} ms   min ${times[0].toFixed(1).padStart(7)} ms`);
}

const { map, seg } = syntheticVolume(1, true);
const labels = seg;
console.log(`one volume: ${dims.join(' x ')} = ${n} voxels`);
time('native Float32Array.prototype.sort (for comparison)', () => map.slice().sort());
time('sortScores (radix sort + merge)', () => sortScores(map, labels));
time('averagePrecision', () => averagePrecision(map, labels));
time('auroc', () => auroc(map, labels));
time('bestDice (oracle, exact)', () => bestDice({ scores: map, labels }));
time('precisionRecallCurve (<= 500 points)', () => precisionRecallCurve(map, labels));
time('evaluateVolume (one sort + CC-filtered Dice)', () => evaluateVolume(map, seg, dims, 0.06));

const validation: ScoredVolume[] = [];
for (let v = 0; v < 10; v++) {
  const vol = syntheticVolume(100 + v, true);
  validation.push({ scores: vol.map, labels: vol.seg });
}
console.log(`pooled validation set: 10 volumes = ${10 * n} voxels`);
time('referenceThresholdSearch (10 rounds)', () => referenceThresholdSearch(validation), 3);
time('exactBestDiceThreshold', () => exactBestDiceThreshold(validation), 3);

const healthy = Array.from({ length: 5 }, (_, v) => syntheticVolume(200 + v, false));
const brainMasks = healthy.map(({ map: m }) => m.map((x) => (x > 0 ? 1 : 0)));
console.log(`healthy set: 5 volumes = ${5 * n} voxels`);
time('fprThreshold (5 %)', () => fprThreshold(healthy.map((h) => h.map), brainMasks, 0.05), 3);
