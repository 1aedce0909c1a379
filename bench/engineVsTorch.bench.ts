// fqlab's engine against PyTorch on the same U-Net (bench/torch_unet.py): forward and training-step times per preset, interleaved, plus a kernel profile of one training step.
// Usage: npx tsx bench/engineVsTorch.bench.ts [--presets tiny,small,base,paper] [--reps 3] [--quick]
// Needs Debian's /usr/bin/python3 with python3-torch for the PyTorch side (else only fqlab's times print).
import * as tf from '@tensorflow/tfjs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dataParallelApply, defaultTrainingConfig, initBackend, Trainer, UNet, unetParameterCount, unetPreset, type UNetPresetName } from '../src/engine/index.ts';
import type { GradientHelpers } from '../src/engine/microBatch.ts';
import type { ForwardHelpers, SharedForwards } from '../src/engine/parallelForward.ts';
import { startEngineWorkers } from '../src/engine/nodeEngineWorkers.ts';
import { syntheticVolume } from '../tests/engine/synthetic.ts';
import { formatKernelProfile, profileKernels } from './kernelProfile.ts';

const PYTHON = '/usr/bin/python3';
/**
 * glibc's allocator keeps PyTorch's freed buffers (all below 32 MiB in these plans) instead of returning them to the
 * kernel: otherwise every forward faulted its activations in afresh, 100,000-200,000 page faults and 0.6-1.3 s of system
 * time per small forward on the 2-core VM, and its one-thread small forward swung between 0.67 and 3.5 s. With the
 * buffers kept it held at 0.67-0.69 s with no page faults: its steady best, the stricter reference.
 */
const TORCH_ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(16 * 2 ** 30) };
/**
 * Batch of both sides per preset (base and paper small enough to keep the run short). `repeats`: runs
 * averaged into one measurement on each side, so a measurement lasts about 0.5 s or more (tiny's 0.1 s forwards were
 * at the mercy of the VM's hiccups: one run's ratio moved 1.26x -> 1.65x).
 */
const PLANS: Record<UNetPresetName, { forwardBatch: number; trainBatch: number; repeats: { forward: number; train: number } }> = {
  tiny: { forwardBatch: 8, trainBatch: 8, repeats: { forward: 6, train: 2 } },
  small: { forwardBatch: 8, trainBatch: 8, repeats: { forward: 1, train: 1 } },
  base: { forwardBatch: 4, trainBatch: 4, repeats: { forward: 1, train: 1 } },
  paper: { forwardBatch: 2, trainBatch: 2, repeats: { forward: 1, train: 1 } },
};
/** The issue's goal: fqlab's time over PyTorch's at the same threads and batch. */
const GOAL = { forward: 1.2, train: 1.5 };
const THREADS = [1, 2];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Wall and process-CPU seconds of one measurement. */
interface Timing {
  wall: number;
  cpu: number;
}

interface TorchAnswer {
  seconds?: number;
  cpuSeconds?: number;
  error?: string;
}

/** The PyTorch side: one long-lived python process answering one JSON line per request. */
class Torch {
  private readonly answers: string[] = [];
  private waiting: ((line: string) => void) | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.waiting !== null) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.answers.push(line);
    });
  }

  static async start(): Promise<{ torch: Torch; version: string } | { reason: string }> {
    const script = fileURLToPath(new URL('./torch_unet.py', import.meta.url));
    const child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...TORCH_ALLOCATOR_ENV } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = await new Promise<Error | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', resolve);
    });
    if (started !== null) return { reason: `${PYTHON} did not start (${started.message})` };
    const torch = new Torch(child);
    const exited = new Promise<string>((resolve) => child.once('exit', () => resolve('')));
    const first = await Promise.race([torch.next(), exited]);
    if (first === '') return { reason: `${PYTHON} bench/torch_unet.py exited: ${stderr.trim().split('\n').at(-1) ?? ''} (install python3-torch)` };
    return { torch, version: (JSON.parse(first) as { torch: string }).torch };
  }

  private next(): Promise<string> {
    const line = this.answers.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Mean wall and CPU seconds of `repeats` runs of one request. */
  async time(preset: UNetPresetName, what: 'forward' | 'train', batch: number, threads: number, repeats: number): Promise<Timing> {
    const config = unetPreset(preset);
    this.child.stdin.write(`${JSON.stringify({ config, parameters: unetParameterCount(config), batch, threads, what, repeats })}\n`);
    const answer = JSON.parse(await this.next()) as TorchAnswer;
    if (answer.error !== undefined || answer.seconds === undefined || answer.cpuSeconds === undefined) throw new Error(`torch_unet.py: ${answer.error ?? 'no time'}`);
    return { wall: answer.seconds, cpu: answer.cpuSeconds };
  }

  stop(): void {
    this.child.stdin.end();
  }
}

/** Mean wall and CPU time of `repeats` runs of f; the CPU time is the whole process's, worker threads included. */
async function timed(f: () => Promise<void>, repeats = 1): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000 / repeats, cpu: (c.user + c.system) / 1e6 / repeats };
}

/** Forwards of `batch` slices (their mean time): on this engine alone, or shared with helper threads (dataParallelApply). */
async function fqlabForward(model: UNet, batch: number, shared?: SharedForwards, repeats = 1): Promise<Timing> {
  const x = tf.randomUniform([batch, 96, 96, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  const t = new Array<number>(batch).fill(499);
  const timing = await timed(async () => {
    const y = shared === undefined ? model.apply(x, t) : await dataParallelApply(model, shared, x, t);
    await y.data();
    y.dispose();
  }, repeats);
  x.dispose();
  return timing;
}

const volumes = [0, 1, 2, 3].map((i) => syntheticVolume(i));

function trainer(preset: UNetPresetName, batch: number, helpers: GradientHelpers | undefined): Trainer {
  return Trainer.create(defaultTrainingConfig(preset, { batchSize: batch, validationSlices: 0 }), { train: volumes, validation: [] }, { helpers });
}

function fqlabSteps(t: Trainer, repeats: number): Promise<Timing> {
  return timed(async () => {
    await t.trainStep();
  }, repeats);
}

/** The top kernels of one training step by exclusive time (bench/kernelProfile.ts). */
async function kernelProfile(t: Trainer): Promise<void> {
  const profile = await profileKernels(async () => {
    await t.trainStep();
  }, 16);
  console.log(`\n${formatKernelProfile(`kernel profile of one ${t.config.preset} training step (batch ${t.config.batchSize}, micro-batch ${t.config.microBatchSize}, one thread)`, profile)}`);
}

interface Row {
  what: string;
  threads: number;
  fqlab: Timing[];
  torch: Timing[];
  goal: number;
}

/** Below this many cores for two threads, 2-thread timings say more about other processes than about either side. */
const BUSY_BELOW_CORES = 1.8;

function printRows(preset: UNetPresetName, rows: Row[], cores: number): void {
  const { forward, train } = PLANS[preset].repeats;
  console.log(`\n${preset}: medians over ${rows[0]?.fqlab.length ?? 0} interleaved repetitions, each the mean of ${forward} forward(s) or ${train} training step(s) per side; wall seconds (ratio = fqlab / PyTorch, the goal's measure) and process CPU seconds (all threads; robust to load from other processes)`);
  console.log('| measure | threads | fqlab wall s | PyTorch wall s | wall ratio | goal | fqlab CPU s | PyTorch CPU s | CPU ratio |\n|---|---|---|---|---|---|---|---|---|');
  const cell = (v: number, digits = 2): string => (Number.isNaN(v) ? '-' : v.toFixed(digits));
  for (const r of rows) {
    const fw = median(r.fqlab.map((t) => t.wall));
    const tw = r.torch.length > 0 ? median(r.torch.map((t) => t.wall)) : NaN;
    const fc = median(r.fqlab.map((t) => t.cpu));
    const tc = r.torch.length > 0 ? median(r.torch.map((t) => t.cpu)) : NaN;
    const ratio = fw / tw;
    const busy = r.threads > 1 && cores < BUSY_BELOW_CORES;
    const verdict = Number.isNaN(ratio) || busy ? `n/a${busy ? ' (cores busy)' : ''}` : ratio <= r.goal ? `<= ${r.goal} met` : `<= ${r.goal} not met`;
    console.log(`| ${r.what} | ${r.threads} | ${cell(fw)} | ${cell(tw)} | ${Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`} | ${verdict} | ${cell(fc)} | ${cell(tc)} | ${Number.isNaN(fc / tc) ? '-' : `${(fc / tc).toFixed(2)}x`} |`);
  }
}

async function benchPreset(preset: UNetPresetName, reps: number, torch: Torch | null, helpers: GradientHelpers & ForwardHelpers, cores: number): Promise<void> {
  const plan = PLANS[preset];
  console.log(`\n## ${preset}: ${unetParameterCount(unetPreset(preset)).toLocaleString('en-US')} parameters (PyTorch's count asserted equal)`);
  const rows: Row[] = [];
  const forward: Row[] = THREADS.map((threads) => ({ what: `forward, batch ${plan.forwardBatch}`, threads, fqlab: [], torch: [], goal: GOAL.forward }));
  const train: Row[] = THREADS.map((threads) => ({ what: `training step, batch ${plan.trainBatch}`, threads, fqlab: [], torch: [], goal: GOAL.train }));
  rows.push(...forward, ...train);
  const model = UNet.create(unetPreset(preset), 0);
  const shared: SharedForwards = { helpers, version: `bench-${preset}` };
  await fqlabForward(model, 1); // warm-up: XNNPACK operator creation
  await fqlabForward(model, plan.forwardBatch, shared); // warm-up: the helper's replica gets its weights, and its operators
  const trainers = THREADS.map((threads) => trainer(preset, plan.trainBatch, threads > 1 ? helpers : undefined));
  for (const t of trainers) await t.trainStep(); // warm-up, and the helpers' replicas
  for (let rep = 0; rep < reps; rep++) {
    for (const row of forward) {
      row.fqlab.push(await fqlabForward(model, plan.forwardBatch, row.threads > 1 ? shared : undefined, plan.repeats.forward));
      if (torch !== null) row.torch.push(await torch.time(preset, 'forward', plan.forwardBatch, row.threads, plan.repeats.forward));
    }
    for (let i = 0; i < train.length; i++) {
      train[i].fqlab.push(await fqlabSteps(trainers[i], plan.repeats.train));
      if (torch !== null) train[i].torch.push(await torch.time(preset, 'train', plan.trainBatch, train[i].threads, plan.repeats.train));
    }
  }
  model.dispose();
  printRows(preset, rows, cores);
  await kernelProfile(trainers[0]);
  for (const t of trainers) t.dispose();
}

/**
 * Cores two threads actually get right now: CPU seconds over wall seconds of two threads spinning for
 * a second (2.0 on an idle 2-core machine; other processes' load lowers it, and with it what the
 * 2-thread rows can show).
 */
async function coresForTwoThreads(): Promise<number> {
  const spin = `const t = Date.now(); let x = 0; while (Date.now() - t < 1000) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all([0, 1].map(() => new Promise((resolve) => new Worker(spin, { eval: true }).once('message', resolve))));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3 / (performance.now() - t0);
}

async function main(): Promise<void> {
  const presets = arg('presets', 'tiny,small,base,paper').split(',') as UNetPresetName[];
  const reps = process.argv.includes('--quick') ? 1 : Number(arg('reps', '3'));
  const cpus = os.cpus();
  const backend = await initBackend('wasm');
  console.log(`# fqlab vs PyTorch on the same U-Net\nmachine: ${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, Node ${process.version}, fqlab ${backend.reason}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('fqlab at 2 threads: a worker thread with its own WASM engine computes half of the micro-batches (src/engine/nodeEngineWorkers.ts),');
  console.log('  and half of each forward\'s slices (dataParallelApply, src/engine/parallelForward.ts; its replica keeps the weights across forwards).');
  console.log('PyTorch: torch.set_num_threads(threads), the whole batch at once, same FQ loss and Adam; the two sides alternate, so load from other processes hits both alike (medians).');
  const started = await Torch.start();
  const torch = 'torch' in started ? started.torch : null;
  console.log('torch' in started ? `PyTorch ${started.version} (${PYTHON})` : `PyTorch skipped: ${started.reason}`);
  const helpers = startEngineWorkers(1);
  try {
    for (const preset of presets) {
      const cores = await coresForTwoThreads();
      console.log(`\ntwo threads get ${cores.toFixed(2)} cores now (2.00 when nothing else runs; below ${BUSY_BELOW_CORES} the 2-thread rows get no verdict)`);
      await benchPreset(preset, reps, torch, helpers, cores);
    }
  } finally {
    await helpers.close();
    torch?.stop();
  }
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes slow both sides; compare ratios, not seconds)`);
}

await main();
