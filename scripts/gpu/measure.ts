// GPU measurement (run by scripts/gpu/measure.sh): per U-Net preset and WebGPU kernel set, forward rate and TFLOP/s, training step, volume reconstruction, peak memory and top kernels; writes gpu-measure.json.
// Parent: `node --import tsx scripts/gpu/measure.ts` runs each (preset, kernel set) in its own Node process under a time cap,
// so a slow, crashed or out-of-memory run costs only its own slot; then prints the table and the custom/stock ratios.
// Child: `node --import tsx scripts/gpu/measure.ts --child <preset> <stock|custom> <part.json> <cap seconds>`.
import * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatKernelProfile, profileKernels, type KernelProfile } from '../../bench/kernelProfile.ts';
import type { AdapterInfo } from '../../src/engine/backend.ts';
import {
  defaultTrainingConfig,
  initBackend,
  reconstructVolume,
  Trainer,
  UNet,
  unetForwardFlops,
  unetParameterCount,
  unetPreset,
  type UNetPresetName,
} from '../../src/engine/index.ts';
import { forwardTeraflopsPerSecond, TRAINING_STEP_FORWARD_EQUIVALENTS, trainingTeraflopsPerSecond } from '../../src/engine/throughput.ts';
import { activeKernelSet, selectWebGpuKernelSet, WEBGPU_KERNEL_SETS, type WebGpuKernelSet } from '../../src/engine/webgpu/kernelFlags.ts';
import { syntheticVolume } from '../../tests/engine/synthetic.ts';

const ALL_PRESETS: readonly UNetPresetName[] = ['tiny', 'small', 'base', 'paper'];
/** Share of the whole budget each preset gets (per kernel set): bigger presets cost more per step. */
const PRESET_BUDGET_WEIGHT: Record<UNetPresetName, number> = { tiny: 0.5, small: 1, base: 2, paper: 3.5 };
/**
 * Slices per forward/backward pass at batch 32, sized for a GPU of about 140 GB (H100 80 GB: halve base and paper
 * with FQLAB_MEASURE_MICRO_BATCH); tfjs keeps every intermediate of the backward pass.
 */
const PRESET_MICRO_BATCH: Record<UNetPresetName, number> = { tiny: 32, small: 32, base: 16, paper: 8 };
/** A stock-kernel training step cost 18-35 forwards' time on an H200 (README): the estimate used to skip a step that cannot fit its cap. */
const ESTIMATED_STEP_FORWARDS = 40;
/** Seconds a killed child gets past its cap (process start, Dawn start-up, writing its part). */
const CHILD_GRACE_S = 10;
/** pDDPM reconstructs each slice with one forward per patch position (2 x 2). */
const FORWARDS_PER_RECONSTRUCTED_SLICE = 4;

/** Every knob of the measurement, from the environment (measure.sh documents them). */
export interface MeasureSettings {
  presets: UNetPresetName[];
  kernelSets: WebGpuKernelSet[];
  /** Forward and training batch (the paper's 32; the SwiftShader smoke run uses 1 or 2). */
  batch: number;
  /** Slices per forward/backward pass; undefined: PRESET_MICRO_BATCH capped by the batch. */
  microBatch: number | undefined;
  /** Timed training steps at most (after one warm-up step). */
  maxSteps: number;
  /** Seconds for everything, shared out by PRESET_BUDGET_WEIGHT. */
  budgetS: number;
  /** Slices of the reconstructed 96 x 96 x N volume (50: a conformed volume; the smoke run uses 1). */
  volumeSlices: number;
  /** Run every phase once even when its estimate does not fit the cap (the SwiftShader smoke run, to prove each path). */
  force: boolean;
  outDir: string;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw}: expected a positive integer`);
  return value;
}

function listOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[]): T[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return [...allowed];
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) throw new Error(`${name}=${raw}: expected a comma-separated list of ${allowed.join(', ')}`);
  return items as T[];
}

export function readMeasureSettings(env: NodeJS.ProcessEnv): MeasureSettings {
  return {
    presets: listOf(env, 'FQLAB_MEASURE_PRESETS', ALL_PRESETS),
    kernelSets: listOf(env, 'FQLAB_MEASURE_KERNEL_SETS', WEBGPU_KERNEL_SETS),
    batch: positiveInt(env, 'FQLAB_MEASURE_BATCH', 32),
    microBatch: env.FQLAB_MEASURE_MICRO_BATCH ? positiveInt(env, 'FQLAB_MEASURE_MICRO_BATCH', 1) : undefined,
    maxSteps: positiveInt(env, 'FQLAB_MEASURE_MAX_STEPS', 3),
    budgetS: positiveInt(env, 'FQLAB_MEASURE_BUDGET_S', 400),
    volumeSlices: positiveInt(env, 'FQLAB_MEASURE_VOLUME_SLICES', 50),
    force: env.FQLAB_MEASURE_FORCE === '1',
    outDir: env.OUT || env.FQLAB_MEASURE_OUT || 'gpu-measure-out',
  };
}

interface ForwardResult {
  batch: number;
  /** The first forward, with shader compilation. */
  firstS: number;
  /** One batch's forward, averaged over the timed iterations. */
  batchS: number;
  iterations: number;
  slicesPerSecond: number;
  teraflopsPerSecond: number | null;
  profile?: KernelProfile;
}

interface TrainingResult {
  batch: number;
  microBatch: number;
  /**
   * The batch actually trained: `batch`, or one micro-batch when a whole step's estimate did not fit the cap; then
   * stepS is the measured step scaled by batch / measuredBatch (micro-batches run one after another).
   */
  measuredBatch: number;
  /** The first step, with shader compilation. */
  firstStepS?: number;
  /** One step, averaged over the timed steps; the first step's time when only it fitted (stepIncludesCompile). */
  stepS?: number;
  stepIncludesCompile?: boolean;
  steps: number;
  /** Step time over one forward's time at the same batch (goal: <= 3.5). */
  forwardsPerStep?: number;
  /** Counting a step as TRAINING_STEP_FORWARD_EQUIVALENTS forwards' FLOPs. */
  teraflopsPerSecond?: number | null;
  profile?: KernelProfile;
  skipped?: string;
}

/** What one child measures for one preset and kernel set (written as it goes, so a killed child leaves what it had). */
export interface PresetMeasurement {
  preset: UNetPresetName;
  kernelSet: WebGpuKernelSet;
  /** The custom kernels actually on (activeKernelSet()). */
  customKernels: string[];
  backend: string;
  backendReason: string;
  adapter?: AdapterInfo;
  parameters: number;
  gflopPerSlice: number;
  capS: number;
  forward?: ForwardResult;
  reconstruction?: { volumeSlices: number; seconds: number; estimated: boolean };
  training?: TrainingResult;
  /** Highest tf.memory().numBytesAllocatedInGPU seen (the buffer pool, which keeps a step's peak). */
  peakGpuAllocatedBytes: number;
  /** Highest live tensor bytes seen (tf.memory().numBytes between calls, tf.profile's peak inside them). */
  peakTensorBytes: number;
  notes: string[];
  error?: string;
  /** Set by the parent when it had to kill the child at its cap. */
  killedAtCap?: boolean;
  wallS: number;
}

interface GpuMemoryInfo {
  numBytes: number;
  numBytesAllocatedInGPU?: number;
}

interface ErrorScopeDevice {
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/** Runs a phase inside a WebGPU out-of-memory error scope (Dawn reports a failed allocation there, not as an exception). */
async function withOomScope<T>(phase: string, notes: string[], work: () => Promise<T>): Promise<T> {
  const device = (tf.backend() as unknown as { device?: ErrorScopeDevice }).device;
  device?.pushErrorScope('out-of-memory');
  try {
    return await work();
  } finally {
    const error = await device?.popErrorScope();
    if (error) notes.push(`${phase}: GPU out of memory (${error.message}); its numbers are not valid`);
  }
}

async function measureChild(preset: UNetPresetName, kernelSet: WebGpuKernelSet, partFile: string, capS: number): Promise<void> {
  const settings = readMeasureSettings(process.env);
  const started = performance.now();
  const elapsedS = (): number => (performance.now() - started) / 1000;
  const remainingS = (): number => capS - elapsedS();
  const config = unetPreset(preset);
  const flops = unetForwardFlops(config);
  const choice = await initBackend('webgpu');
  selectWebGpuKernelSet(kernelSet);
  const result: PresetMeasurement = {
    preset,
    kernelSet,
    customKernels: activeKernelSet().custom,
    backend: choice.name,
    backendReason: choice.reason,
    ...(choice.adapterInfo ? { adapter: choice.adapterInfo } : {}),
    parameters: unetParameterCount(config),
    gflopPerSlice: flops / 1e9,
    capS,
    peakGpuAllocatedBytes: 0,
    peakTensorBytes: 0,
    notes: [],
    wallS: 0,
  };
  const save = (): void => {
    result.wallS = elapsedS();
    // Written aside and renamed, so a child killed mid-write leaves its previous part whole.
    writeFileSync(`${partFile}.tmp`, JSON.stringify(result, null, 2));
    renameSync(`${partFile}.tmp`, partFile);
  };
  const sampleMemory = (profilePeak = 0): void => {
    const memory = tf.memory() as GpuMemoryInfo;
    result.peakGpuAllocatedBytes = Math.max(result.peakGpuAllocatedBytes, memory.numBytesAllocatedInGPU ?? 0);
    result.peakTensorBytes = Math.max(result.peakTensorBytes, memory.numBytes, profilePeak);
  };
  if (choice.name !== 'webgpu') {
    result.error = `WebGPU did not start (${choice.reason}); nothing measured`;
    save();
    return;
  }
  save();
  const batch = settings.batch;
  const model = UNet.create(config, 0);
  const x = tf.randomUniform([batch, 96, 96, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  const t = new Array<number>(batch).fill(499);
  const forward = async (): Promise<void> => {
    const y = model.apply(x, t);
    await y.data();
    sampleMemory();
    y.dispose();
  };

  await withOomScope('forward', result.notes, async () => {
    let t0 = performance.now();
    await forward();
    const firstS = (performance.now() - t0) / 1000;
    // Timed forwards: at least 2, then more while they take under a tenth of the cap.
    let iterations = 0;
    t0 = performance.now();
    do {
      await forward();
      iterations++;
    } while (iterations < 2 || ((performance.now() - t0) / 1000 < 0.1 * capS && iterations < 20));
    const batchS = (performance.now() - t0) / 1000 / iterations;
    result.forward = { batch, firstS, batchS, iterations, slicesPerSecond: batch / batchS, teraflopsPerSecond: forwardTeraflopsPerSecond(flops, batch, batchS) };
    save();
    const profile = await profileKernels(forward);
    sampleMemory(profile.peakBytes);
    result.forward.profile = profile;
    save();
  });
  const forwardBatchS = result.forward?.batchS ?? Infinity;

  const volumeSlices = settings.volumeSlices;
  const reconstructionEstimateS = ((FORWARDS_PER_RECONSTRUCTED_SLICE * volumeSlices) / batch) * forwardBatchS;
  if (settings.force || reconstructionEstimateS < 0.25 * remainingS()) {
    await withOomScope('reconstruction', result.notes, async () => {
      const volume = syntheticVolume(1, 96, 96, volumeSlices).image;
      const t0 = performance.now();
      await reconstructVolume(model, volume, { noiseLevel: 750, noiseType: 'simplex', seed: 1, sliceBatch: batch, dims: [96, 96, volumeSlices] });
      result.reconstruction = { volumeSlices, seconds: (performance.now() - t0) / 1000, estimated: false };
      sampleMemory();
    });
  } else if (Number.isFinite(reconstructionEstimateS)) {
    result.reconstruction = { volumeSlices, seconds: reconstructionEstimateS, estimated: true };
  }
  tf.dispose(x);
  model.dispose();
  save();

  const microBatch = Math.min(batch, settings.microBatch ?? PRESET_MICRO_BATCH[preset]);
  const stepEstimateS = ESTIMATED_STEP_FORWARDS * forwardBatchS;
  // Two steps (the first compiles) should fit; else one micro-batch's step, scaled up.
  const measuredBatch = settings.force || 2 * stepEstimateS <= remainingS() ? batch : microBatch;
  const training: TrainingResult = { batch, microBatch, measuredBatch, steps: 0 };
  result.training = training;
  const measuredEstimateS = (stepEstimateS * measuredBatch) / batch;
  // At least the first step must fit (then reported with its compilation, as stated).
  if (!settings.force && measuredEstimateS > remainingS()) {
    training.skipped = `an estimated ${measuredEstimateS.toFixed(0)} s step at batch ${measuredBatch} (${ESTIMATED_STEP_FORWARDS} forwards of its size) does not fit the ${remainingS().toFixed(0)} s left of this preset's cap`;
    save();
    return;
  }
  const scale = batch / measuredBatch;
  const volumes = [0, 1, 2, 3].map((i) => syntheticVolume(i));
  const trainer = Trainer.create(defaultTrainingConfig(preset, { batchSize: measuredBatch, microBatchSize: microBatch, validationSlices: 0 }), { train: volumes, validation: [] });
  await withOomScope('training', result.notes, async () => {
    let t0 = performance.now();
    await trainer.trainStep();
    training.firstStepS = ((performance.now() - t0) / 1000) * scale;
    sampleMemory();
    save();
    t0 = performance.now();
    const measuredStepS = (): number => (training.steps > 0 ? (performance.now() - t0) / 1000 / training.steps : (training.firstStepS ?? 0) / scale);
    while (training.steps < settings.maxSteps && remainingS() > 1.5 * measuredStepS()) {
      await trainer.trainStep();
      training.steps++;
      sampleMemory();
    }
    training.stepIncludesCompile = training.steps === 0;
    training.stepS = measuredStepS() * scale;
    training.forwardsPerStep = training.stepS / forwardBatchS;
    training.teraflopsPerSecond = trainingTeraflopsPerSecond(flops, batch, training.stepS);
    save();
    // Profiling submits and times each kernel alone, so a profiled step takes longer: only when it surely fits.
    if (settings.force || remainingS() > 3 * measuredStepS()) {
      const profile = await profileKernels(() => trainer.trainStep().then(() => undefined));
      sampleMemory(profile.peakBytes);
      training.profile = profile;
    } else {
      result.notes.push('training kernel profile not run: the cap was near');
    }
  });
  trainer.dispose();
  save();
}

function runChild(preset: UNetPresetName, kernelSet: WebGpuKernelSet, partFile: string, capS: number): Promise<{ code: number | null; killed: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', preset, kernelSet, partFile, String(capS)], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, (capS + CHILD_GRACE_S) * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killed, stderr });
    });
  });
}

const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(2);
const num = (value: number | null | undefined, digits: number): string => (value === undefined || value === null ? '-' : value.toFixed(digits));
const teraflops = (value: number | null | undefined): string => (value === undefined || value === null ? '-' : value.toPrecision(3));

function trainingCell(m: PresetMeasurement): string {
  const tr = m.training;
  if (tr === undefined) return '-';
  if (tr.skipped !== undefined) return 'skipped';
  if (tr.stepS === undefined) return 'not finished';
  const scaled = tr.measuredBatch === tr.batch ? '' : `, scaled from batch ${tr.measuredBatch}`;
  return `${tr.stepS.toFixed(2)} s (micro ${tr.microBatch}${scaled}${tr.stepIncludesCompile ? ', incl. compile' : ''})`;
}

function topKernel(profile: KernelProfile | undefined): string {
  const top = profile?.top[0];
  return top ? `${top.name} ${(100 * top.share).toFixed(0)}%${profile?.timed ? '' : ' of calls'}` : '-';
}

/** The side-by-side table and the custom/stock ratios (time ratios below 1 and rate ratios above 1 favour custom). */
export function formatMeasurements(rows: PresetMeasurement[]): string {
  const lines = [
    '| preset | kernels | forward slices/s | forward TFLOP/s | train step | step / forward | train TFLOP/s | 96x96x50 recon s | peak GPU GiB | top forward kernel | top training kernel |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of rows) {
    const reconstruction = m.reconstruction;
    const recon = reconstruction ? `${reconstruction.seconds.toFixed(2)}${reconstruction.estimated ? ' (est.)' : ''}${reconstruction.volumeSlices === 50 ? '' : ` (x${reconstruction.volumeSlices})`}` : '-';
    const status = m.error ?? (m.killedAtCap ? 'killed at its cap' : '');
    lines.push(
      `| ${m.preset} | ${m.kernelSet}${status ? ` (${status})` : ''} | ${num(m.forward?.slicesPerSecond, 1)} | ${teraflops(m.forward?.teraflopsPerSecond)} | ${trainingCell(m)} | ${num(m.training?.forwardsPerStep, 1)} | ${teraflops(m.training?.teraflopsPerSecond)} | ${recon} | ${gib(m.peakGpuAllocatedBytes)} | ${topKernel(m.forward?.profile)} | ${topKernel(m.training?.profile)} |`,
    );
  }
  const ratioLines: string[] = [];
  for (const preset of new Set(rows.map((r) => r.preset))) {
    const stock = rows.find((r) => r.preset === preset && r.kernelSet === 'stock');
    const custom = rows.find((r) => r.preset === preset && r.kernelSet === 'custom');
    if (!stock || !custom) continue;
    const ratio = (c: number | undefined, s: number | undefined): string => (c !== undefined && s !== undefined && s > 0 ? `${(c / s).toFixed(2)}x` : 'n/a');
    ratioLines.push(
      `${preset}: forward slices/s ${ratio(custom.forward?.slicesPerSecond, stock.forward?.slicesPerSecond)}, train step time ${ratio(custom.training?.stepS, stock.training?.stepS)}, reconstruction time ${ratio(custom.reconstruction?.seconds, stock.reconstruction?.seconds)}, peak GPU memory ${ratio(custom.peakGpuAllocatedBytes, stock.peakGpuAllocatedBytes)}`,
    );
  }
  if (ratioLines.length > 0) lines.push('', 'custom / stock (rates above 1x and times below 1x favour the custom kernels):', ...ratioLines);
  return lines.join('\n');
}

async function measureAll(): Promise<void> {
  const settings = readMeasureSettings(process.env);
  mkdirSync(settings.outDir, { recursive: true });
  const partsDir = path.join(settings.outDir, 'gpu-measure-parts');
  mkdirSync(partsDir, { recursive: true });
  const totalWeight = settings.presets.reduce((a, p) => a + PRESET_BUDGET_WEIGHT[p], 0) * settings.kernelSets.length;
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
  console.log(`# fqlab GPU measurement\nmachine: ${machine}\nsettings: ${JSON.stringify({ ...settings, outDir: undefined })}`);
  const rows: PresetMeasurement[] = [];
  const started = performance.now();
  for (const preset of settings.presets) {
    for (const kernelSet of settings.kernelSets) {
      const capS = Math.max(10, Math.floor((settings.budgetS * PRESET_BUDGET_WEIGHT[preset]) / totalWeight));
      const partFile = path.join(partsDir, `${preset}-${kernelSet}.json`);
      writeFileSync(partFile, '');
      console.log(`\n## ${preset}, ${kernelSet} kernels (cap ${capS} s)`);
      const run = await runChild(preset, kernelSet, partFile, capS);
      let row: PresetMeasurement;
      try {
        row = JSON.parse(readFileSync(partFile, 'utf8')) as PresetMeasurement;
      } catch {
        row = { preset, kernelSet, customKernels: [], backend: 'unknown', backendReason: '', parameters: 0, gflopPerSlice: 0, capS, peakGpuAllocatedBytes: 0, peakTensorBytes: 0, notes: [], wallS: 0 };
        row.error = 'the child wrote nothing';
      }
      if (run.killed) row.killedAtCap = true;
      const failure = run.stderr.split('\n').find((line) => line.startsWith('measure.ts: ')) ?? run.stderr.trim().split('\n').slice(-3).join(' / ');
      if (run.code !== 0 && !run.killed) row.error ??= `the child exited with ${run.code}: ${failure}`;
      rows.push(row);
      if (row.forward?.profile) console.log(formatKernelProfile(`kernels of one forward, batch ${row.forward.batch}`, row.forward.profile));
      if (row.training?.profile) console.log(formatKernelProfile(`kernels of one training step, batch ${row.training.measuredBatch}`, row.training.profile));
      for (const note of [...row.notes, ...(row.training?.skipped ? [`training skipped: ${row.training.skipped}`] : []), ...(row.error ? [`error: ${row.error}`] : [])]) console.log(`note: ${note}`);
    }
  }
  const table = formatMeasurements(rows);
  const adapter = rows.find((r) => r.adapter)?.adapter;
  console.log(`\n# results (GPU: ${adapter ? [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ') : 'none'}; a training step counted as ${TRAINING_STEP_FORWARD_EQUIVALENTS} forwards' FLOPs)\n${table}`);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const outFile = path.join(settings.outDir, 'gpu-measure.json');
  writeFileSync(outFile, JSON.stringify({ machine, adapter, settings, totalS: (performance.now() - started) / 1000, rows }, null, 2));
  console.log(`wrote ${outFile}`);
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const [preset, kernelSet, partFile, capS] = process.argv.slice(childAt + 1);
  try {
    await measureChild(preset as UNetPresetName, kernelSet as WebGpuKernelSet, partFile, Number(capS));
  } catch (e) {
    console.error(`measure.ts: ${preset} ${kernelSet} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  }
  process.exit(0); // Dawn's device can keep Node's event loop alive after the work
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await measureAll();
}
