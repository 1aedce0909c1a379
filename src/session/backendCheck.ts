// Backend start and the backend self-check: a seeded tiny U-Net forward pass whose output must agree across backends.
import * as tf from '@tensorflow/tfjs';
import { DIFFUSION_STEPS, initBackend, Rng, SLICE_SIZE, UNet, unetParamSpecs, unetPlan, unetPreset, type BackendChoice, type BackendPreference, type UNetConfig } from '../engine/index.ts';

/** Options of a backend self-check: a seeded tiny U-Net forward pass on a seeded input. */
export interface BackendCheckOptions {
  /** Axial 96 x 96 slices in the batch (default 2). */
  slices?: number;
  /** Seed of the weights, input and timestep (default 0). */
  seed?: number;
  /** Use WebGPU even on a software (fallback) adapter such as SwiftShader, which 'auto' skips (for tests). */
  allowSoftwareAdapter?: boolean;
}

/** The result of a backend self-check: same options on two backends must give the same output (to ~1e-3). */
export interface BackendCheckResult {
  backend: BackendChoice;
  /** The x0 prediction, slices x 96 x 96 (x fastest). */
  output: Float32Array;
  elapsedMs: number;
}

/** Starts the tfjs backend through the engine (which explains its choice). */
export async function initEngineBackend(preference: BackendPreference, wasmPaths?: string | Record<string, string>): Promise<BackendChoice> {
  return initBackend(preference, wasmPaths === undefined ? {} : { wasmPaths });
}

/**
 * Seeded weights with every layer active (a fresh U-Net's output convolution is zero, which would make a backend
 * comparison trivial): uniform +-1/sqrt(fanIn) where PyTorch would use it, small values around 0 or 1 elsewhere.
 */
export function randomWeights(config: UNetConfig, rng: Rng): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const spec of unetParamSpecs(unetPlan(config))) {
    const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    const bound = spec.init.kind === 'uniform' ? 1 / Math.sqrt(spec.init.fanIn) : 0.1;
    const centre = spec.init.kind === 'ones' ? 1 : 0;
    for (let i = 0; i < values.length; i++) values[i] = centre + (2 * rng.next() - 1) * bound;
    weights.set(spec.name, values);
  }
  return weights;
}

/**
 * Switches to a backend and runs the tiny preset (seeded weights) on a seeded input at a seeded timestep: the same
 * options must give the same numbers on every backend. With allowSoftwareAdapter, 'webgpu' is started on a software
 * adapter that the engine's initBackend declines (it prefers WASM there).
 */
export async function backendCheck(
  preference: BackendPreference,
  options: BackendCheckOptions,
  wasmPaths?: string | Record<string, string>,
): Promise<BackendCheckResult> {
  let backend = await initEngineBackend(preference, wasmPaths);
  if (preference === 'webgpu' && backend.name !== 'webgpu' && options.allowSoftwareAdapter) {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) {
      await tf.ready();
      backend = { ...backend, name: 'webgpu', reason: `WebGPU forced on a software adapter (${backend.reason})` };
    }
  }
  const slices = options.slices ?? 2;
  const seed = options.seed ?? 0;
  const started = performance.now();
  const rng = new Rng(`backend-check:${seed}`);
  const unet = UNet.fromWeights(unetPreset('tiny'), randomWeights(unetPreset('tiny'), rng));
  const input = new Float32Array(slices * SLICE_SIZE * SLICE_SIZE);
  for (let i = 0; i < input.length; i++) input[i] = 2 * rng.next() - 1;
  const t = new Array<number>(slices).fill(rng.int(DIFFUSION_STEPS));
  const x = tf.tensor4d(input, [slices, SLICE_SIZE, SLICE_SIZE, 1]);
  try {
    const prediction = unet.apply(x, t);
    const output = (await prediction.data()) as Float32Array;
    prediction.dispose();
    return { backend, output, elapsedMs: performance.now() - started };
  } finally {
    x.dispose();
    unet.dispose();
  }
}
