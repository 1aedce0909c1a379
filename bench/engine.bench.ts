// Engine benchmark (plain tsx script): per preset and Node backend, forward throughput, training step time, volume reconstruction time, memory and the top kernels.
// Usage: npx tsx bench/engine.bench.ts [--presets tiny,small,base,paper] [--backends wasm,cpu,webgpu] [--quick]
// (webgpu in Node needs a GPU with Vulkan and the optional `webgpu` package; see src/engine/nodeWebgpu.ts)
import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
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
} from '../src/engine/index.ts';
import { syntheticVolume } from '../tests/engine/synthetic.ts';
import { formatKernelProfile, profileKernels } from './kernelProfile.ts';

interface PresetPlan {
  forwardBatch: number;
  /** Training batch sizes to time. */
  trainBatches: number[];
  /** Reconstruct a whole 96 x 96 x 50 volume for real (else estimated from the forward rate). */
  reconstruct: boolean;
  iterations: number;
  /** Slices per forward/backward pass in training (undefined: the preset's default). */
  microBatch?: number;
}

/** Big presets run 1 iteration at small batches on the CPU backends (stated in the output): the CPU here is small. */
const CPU_PLANS: Record<UNetPresetName, PresetPlan> = {
  tiny: { forwardBatch: 8, trainBatches: [8, 32], reconstruct: true, iterations: 3 },
  small: { forwardBatch: 8, trainBatches: [8], reconstruct: true, iterations: 2 },
  base: { forwardBatch: 4, trainBatches: [4], reconstruct: false, iterations: 1 },
  paper: { forwardBatch: 2, trainBatches: [2], reconstruct: false, iterations: 1 },
};

/** On a GPU: the paper's batch of 32 for every preset, micro-batches sized for a GPU of about 16 GB. */
const GPU_PLANS: Record<UNetPresetName, PresetPlan> = {
  tiny: { forwardBatch: 32, trainBatches: [32], reconstruct: true, iterations: 5, microBatch: 32 },
  small: { forwardBatch: 32, trainBatches: [32], reconstruct: true, iterations: 3, microBatch: 8 },
  base: { forwardBatch: 16, trainBatches: [32], reconstruct: true, iterations: 2, microBatch: 4 },
  paper: { forwardBatch: 8, trainBatches: [32], reconstruct: true, iterations: 1, microBatch: 2 },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

let peakTensorBytes = 0;
let peakRss = 0;
function sampleMemory(): void {
  peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

/** Wall and process-CPU seconds of f (CPU time shows the cost without other load on the machine). */
async function timed(f: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  sampleMemory();
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

function fmt(s: { wall: number; cpu: number }, per = 1): string {
  return `${(s.wall / per).toFixed(3)} s wall / ${(s.cpu / per).toFixed(3)} s CPU`;
}

async function benchPreset(preset: UNetPresetName, plan: PresetPlan, quick: boolean): Promise<void> {
  const config = unetPreset(preset);
  const iterations = quick ? 1 : plan.iterations;
  console.log(`\n## ${preset}: ${unetParameterCount(config).toLocaleString('en-US')} parameters, ${(unetForwardFlops(config) / 1e9).toFixed(2)} GFLOP per 96x96 slice forward`);
  peakTensorBytes = 0;
  peakRss = 0;

  const model = UNet.create(config, 0);
  const x = tf.randomUniform([plan.forwardBatch, 96, 96, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  const t = new Array<number>(plan.forwardBatch).fill(499);
  const forward = async (): Promise<void> => {
    const y = model.apply(x, t);
    await y.data();
    sampleMemory();
    y.dispose();
  };
  await forward(); // warm-up (kernel setup, XNNPACK operator creation, shader compilation)
  const forwardProfile = await profileKernels(forward);
  peakTensorBytes = Math.max(peakTensorBytes, forwardProfile.peakBytes);
  console.log(formatKernelProfile(`kernels of one forward, batch ${plan.forwardBatch}`, forwardProfile));
  const fwd = await timed(async () => {
    for (let i = 0; i < iterations; i++) await forward();
  });
  const slicesPerSecond = (plan.forwardBatch * iterations) / fwd.wall;
  const slicesPerCpuSecond = (plan.forwardBatch * iterations) / fwd.cpu;
  console.log(`forward, batch ${plan.forwardBatch}: ${slicesPerSecond.toFixed(2)} slices/s wall, ${slicesPerCpuSecond.toFixed(2)} slices per CPU-second (${(unetForwardFlops(config) * slicesPerCpuSecond / 1e9).toFixed(1)} GFLOP/CPU-s)`);

  if (plan.reconstruct) {
    const volume = syntheticVolume(1).image;
    const rec = await timed(async () => {
      await reconstructVolume(model, volume, { noiseLevel: 750, noiseType: 'simplex', seed: 1, sliceBatch: plan.forwardBatch });
    });
    console.log(`reconstruct 96x96x50 (200 forwards, slice batch ${plan.forwardBatch}): ${fmt(rec)}`);
  } else {
    console.log(`reconstruct 96x96x50: estimated ${(200 / slicesPerSecond).toFixed(0)} s wall / ${(200 / slicesPerCpuSecond).toFixed(0)} s CPU from the forward rate (not run)`);
  }
  tf.dispose(x);
  model.dispose();

  const volumes = [0, 1, 2, 3].map((i) => syntheticVolume(i));
  for (const batchSize of plan.trainBatches) {
    const micro = plan.microBatch === undefined ? {} : { microBatchSize: plan.microBatch };
    const trainer = Trainer.create(defaultTrainingConfig(preset, { batchSize, validationSlices: 0, ...micro }), { train: volumes, validation: [] });
    await trainer.trainStep(); // warm-up
    const step = await timed(async () => {
      for (let i = 0; i < iterations; i++) await trainer.trainStep();
    });
    // One more step under the profiler for its kernels and the peak tensor memory (micro-batches bound it).
    const profile = await profileKernels(() => trainer.trainStep().then(() => undefined));
    peakTensorBytes = Math.max(peakTensorBytes, profile.peakBytes);
    const note = batchSize < 32 ? ' (less than the paper\'s 32)' : '';
    console.log(`training step (FQ loss, simplex noise), batch ${batchSize}${note}, micro-batch ${trainer.config.microBatchSize}: ${fmt(step, iterations)} per step, ${((batchSize * iterations) / step.wall).toFixed(2)} slices/s wall; peak tensors ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB`);
    console.log(formatKernelProfile(`kernels of one training step, batch ${batchSize}`, profile));
    trainer.dispose();
  }
  console.log(`peak tf.memory().numBytes ${(peakTensorBytes / 2 ** 20).toFixed(0)} MiB, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  const presets = arg('presets', 'tiny,small,base,paper').split(',') as UNetPresetName[];
  const backends = arg('backends', 'wasm').split(',');
  const quick = process.argv.includes('--quick');
  const cpus = os.cpus();
  console.log(`# fqlab engine benchmark\nmachine: ${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const backend of backends) {
    const choice = await initBackend(backend as 'wasm' | 'cpu' | 'webgpu');
    console.log(`\n# backend ${choice.name}: ${choice.reason}`);
    if (choice.name !== backend) {
      console.log(`skipped: ${backend} is not available here`);
      continue;
    }
    const plans = backend === 'webgpu' ? GPU_PLANS : CPU_PLANS;
    for (const preset of presets) await benchPreset(preset, plans[preset], quick || backend === 'cpu');
  }
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (CPU seconds are the fairer number on a shared machine)`);
}

await main();
