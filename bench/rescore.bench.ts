// One rescoring of a real 96 x 96 x 50 demo case in Node (fqMap, post-processing, AUPRC/AUROC/Dice) beside the numpy/scipy/sklearn
// reference, and a study of such cases rescored serially and on the scoring pool (worker_threads), per volume.
// Usage: npx tsx bench/rescore.bench.ts [--case test-01] [--repeats 15] [--study 14]   (the reference needs /usr/bin/python3 with numpy, scipy, sklearn)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestDice, evaluateLabelled, labelsFromSegmentation, type VolumeMetrics } from '../src/core/metrics/index.ts';
import { erodeMask2D, postprocessMap } from '../src/core/postprocess/index.ts';
import { PAPER_PROTOCOL } from '../src/core/protocol.ts';
import { DEFAULT_FQ_ALPHA, fqMap } from '../src/core/quality/index.ts';
import { runScoringJob, type PooledScoringJob, type ScoringJob } from '../src/analysis/scoringJob.ts';
import { SCORING_POOL_SETTINGS } from '../src/analysis/scoringPool.ts';
import { nodeScoringPool } from '../workers/nodeScoringPool.ts';
import { loadRescoreCase } from './rescoreCase.ts';

const REFERENCE_PYTHON = '/usr/bin/python3';
const EROSIONS = PAPER_PROTOCOL.postprocess.brainMaskErosions;
const MEDIAN_SIZE = PAPER_PROTOCOL.postprocess.medianSize;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const caseId = flag('case', 'test-01');
const repeats = Number(flag('repeats', '15'));
const studyCases = Number(flag('study', '14'));
const rescoreCase = loadRescoreCase(caseId);
const { dims, ssimLoss, l1, brainMask } = rescoreCase;
const labels = labelsFromSegmentation(rescoreCase.seg);
const alpha = DEFAULT_FQ_ALPHA;
const fqBuffer = new Float32Array(l1.length);
// Dice is taken at this volume's own best threshold, so the prediction is neither empty nor everything.
const threshold = bestDice({ scores: postprocessMap(fqMap(ssimLoss, l1, alpha), brainMask, dims), labels }).threshold;

interface Step {
  name: string;
  ms: number[];
}

/** The workbench's rescoring of one alpha move, as one timed run per step. */
function rescore(steps: Step[], mask: ArrayLike<number>, erosions: number): VolumeMetrics {
  const t0 = performance.now();
  const fq = fqMap(ssimLoss, l1, alpha, fqBuffer);
  const t1 = performance.now();
  const score = postprocessMap(fq, mask, dims, { erosionIterations: erosions, medianSize: MEDIAN_SIZE });
  const t2 = performance.now();
  const metrics = evaluateLabelled(score, labels, dims, threshold);
  const t3 = performance.now();
  for (const [s, ms] of [t1 - t0, t2 - t1, t3 - t2, t3 - t0].entries()) steps[s].ms.push(ms);
  return metrics;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

const fmt = (ms: number): string => ms.toFixed(1).padStart(7);

function timeNode(label: string, mask: ArrayLike<number>, erosions: number): { metrics: VolumeMetrics; total: number } {
  const steps: Step[] = ['fqMap', `postprocessMap (erosion + ${MEDIAN_SIZE}^3 median)`, 'AUPRC + AUROC + best Dice + CC-filtered Dice', 'total'].map(
    (name) => ({ name, ms: [] }),
  );
  const warmup: Step[] = steps.map((s) => ({ name: s.name, ms: [] }));
  for (let r = 0; r < 3; r++) rescore(warmup, mask, erosions);
  let metrics: VolumeMetrics | undefined;
  for (let r = 0; r < repeats; r++) metrics = rescore(steps, mask, erosions);
  console.log(label);
  for (const s of steps) console.log(`  ${s.name.padEnd(48)} median ${fmt(median(s.ms))} ms   min ${fmt(Math.min(...s.ms))} ms`);
  return { metrics: metrics as VolumeMetrics, total: median(steps[3].ms) };
}

interface ReferenceResult {
  medianMs: number;
  timesMs: number[];
  metrics: { auprc: number; auroc: number; dice: number };
}

/** Runs bench/rescore_reference.py on the same inputs; null (with the reason printed) when it cannot run. */
function timeReference(): ReferenceResult | null {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'fqlab-rescore-'));
  try {
    const write = (name: string, data: Float32Array | Uint8Array): void =>
      writeFileSync(path.join(folder, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    write('ssim_loss.f32', ssimLoss);
    write('l1.f32', l1);
    write('brain_mask.u8', Uint8Array.from(brainMask, (v) => (v !== 0 ? 1 : 0)));
    write('labels.u8', labels);
    const inputs = { dims, alpha, threshold, erosions: EROSIONS, medianSize: MEDIAN_SIZE, repeats };
    writeFileSync(path.join(folder, 'inputs.json'), JSON.stringify(inputs));
    const script = fileURLToPath(new URL('rescore_reference.py', import.meta.url));
    const run = spawnSync(REFERENCE_PYTHON, [script, folder], { encoding: 'utf8' });
    if (run.error || run.status !== 0) {
      console.log(`reference skipped: ${REFERENCE_PYTHON} ${script} failed (${run.error?.message ?? run.stderr.trim().split('\n').pop()})`);
      return null;
    }
    return JSON.parse(run.stdout) as ReferenceResult;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

console.log(`rescore bench: demo case ${caseId}, grid ${dims.join(' x ')}, alpha ${alpha}, ${repeats} repeats, load ${os.loadavg()[0].toFixed(1)}`);
const node = timeNode('Node, full pipeline (as the reference: brain mask eroded in every run)', brainMask, EROSIONS);
timeNode('Node, one workbench alpha move (eroded mask and labels cached per case)', erodeMask2D(brainMask, dims, EROSIONS), 0);
/**
 * A study of `studyCases` copies of the case (each under its own inputs key, as distinct cases are), as one alpha move
 * rescores it in the worker (score map, post-processing, threshold-free metrics per case): serially, then on a pool of
 * 2 threads (the first move sends every case's maps, later moves find them resident), and on the pool
 * SCORING_POOL_SETTINGS picks for this machine; the median wall time of 5 moves each.
 */
async function timeStudy(): Promise<{ serialPerVolume: number; pooledPerVolume: number; threads: number }> {
  const eroded = erodeMask2D(brainMask, dims, EROSIONS);
  const job: ScoringJob = { structural: ssimLoss, l1, erodedBrainMask: eroded, labels, dims, settings: { score: 'fq', alpha } };
  const jobs: PooledScoringJob[] = Array.from({ length: studyCases }, (_, c) => ({ inputsKey: `case-${c}`, inputs: () => job, settings: job.settings }));
  const serial: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let c = 0; c < studyCases; c++) runScoringJob(job);
    serial.push(performance.now() - t);
  }
  console.log(`Node, a ${studyCases}-case study (map + post-processing + AUPRC/AUROC/best Dice per case), load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`  ${'serial, one thread'.padEnd(48)} median ${fmt(median(serial))} ms   (${fmt(median(serial) / studyCases)} ms a volume)`);
  const timePool = async (size: number): Promise<number> => {
    const pool = nodeScoringPool(size);
    try {
      await Promise.all(Array.from({ length: pool.size }, (_, t) => pool.run({ ...jobs[0], inputsKey: `warm-up-${t}` }))); // threads started, code compiled
      let t = performance.now();
      await Promise.all(jobs.map((j) => pool.run(j)));
      const first = performance.now() - t;
      const resident: number[] = [];
      for (let r = 0; r < 5; r++) {
        t = performance.now();
        await Promise.all(jobs.map((j) => pool.run(j)));
        resident.push(performance.now() - t);
      }
      const label = `scoring pool, ${pool.size} ${pool.size > 1 ? 'worker threads' : 'in-process'}`;
      console.log(`  ${label.padEnd(48)} median ${fmt(median(resident))} ms   (${fmt(median(resident) / studyCases)} ms a volume; first move, maps sent: ${first.toFixed(0)} ms)`);
      return median(resident) / studyCases;
    } finally {
      pool.dispose();
    }
  };
  const twoThreads = await timePool(2);
  const threads = SCORING_POOL_SETTINGS.nodeThreads(os.availableParallelism());
  const pooledPerVolume = threads === 1 ? median(serial) / studyCases : threads === 2 ? twoThreads : await timePool(threads);
  console.log(`  the pool for ${os.availableParallelism()} cores (SCORING_POOL_SETTINGS): ${threads > 1 ? `${threads} threads` : 'in-process'}`);
  return { serialPerVolume: median(serial) / studyCases, pooledPerVolume, threads };
}

const study = await timeStudy();
const reference = timeReference();
if (reference) {
  console.log(
    `per volume in a study on the pool / reference: ${(study.pooledPerVolume / reference.medianMs).toFixed(3)} ` +
      `(${study.pooledPerVolume.toFixed(1)} ms vs ${reference.medianMs.toFixed(1)} ms, ${study.threads} threads; serial ${(study.serialPerVolume / reference.medianMs).toFixed(3)})`,
  );
  console.log(`numpy/scipy/sklearn reference (${REFERENCE_PYTHON})`);
  console.log(`  ${'total'.padEnd(48)} median ${fmt(reference.medianMs)} ms   min ${fmt(Math.min(...reference.timesMs))} ms`);
  console.log(`Node / reference (medians): ${(node.total / reference.medianMs).toFixed(3)}  (reference is ${(reference.medianMs / node.total).toFixed(1)}x slower)`);
  for (const key of ['auprc', 'auroc', 'dice'] as const) {
    const ours = node.metrics[key];
    const theirs = reference.metrics[key];
    const diff = ours === null ? NaN : Math.abs(ours - theirs);
    console.log(`  ${key.padEnd(6)} Node ${ours}  reference ${theirs}  |difference| ${diff.toExponential(1)}`);
  }
}
