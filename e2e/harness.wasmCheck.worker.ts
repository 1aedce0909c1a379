// Test-only worker (e2e/harness.ts): the engine on tfjs WASM with threads on or off, for comparing the two in e2e/wasm-threads.spec.ts.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, patchedLoss, Rng, SLICE_SIZE, UNet, unetPreset } from '../src/engine/index.ts';
import { groupNormSilu } from '../src/engine/layers.ts';
import { WASM_ASSET_URLS } from '../src/engine/wasmAssets.browser.ts';
import { fusedGroupNormSiluAvailable } from '../src/engine/wasmGroupNorm.ts';
import { installThreadedWasmSource } from '../src/engine/wasmThreads.browser.ts';
import { winogradLinked } from '../src/engine/wasmWinogradConv.ts';
import { backendCheck, randomWeights, type BackendCheckOptions, type BackendCheckResult } from '../src/session/backendCheck.ts';

installThreadedWasmSource();

/** One loss-and-gradient evaluation of the tiny U-Net: every weight's gradient, flattened in spec order. */
export interface GradientResult {
  loss: number;
  gradients: Float32Array;
  elapsedMs: number;
}

/** One of the engine's WebAssembly SIMD kernels on this worker's WASM and the same values from tfjs's CPU backend, flattened. */
export interface SimdKernelResult {
  /** Whether the WASM side ran the kernel (its module links to tfjs's memory), not the fallback. */
  linked: boolean;
  wasm: Float32Array;
  cpu: Float32Array;
}

export interface WasmCheckApi {
  /**
   * Starts the WASM backend with threads on or off (once per worker), optionally forcing XNNPACK's thread count;
   * returns the backend's reason and the thread count in use.
   */
  start(threads: boolean, threadsCount?: number): Promise<{ reason: string; threadsCount: number }>;
  /** The compute worker's own backend self-check (same seeded forward pass as the real worker). */
  forward(options: BackendCheckOptions): Promise<BackendCheckResult>;
  /** Loss and gradients of a seeded FQ training batch (exercises the engine's WASM conv-gradient and copy kernels). */
  gradient(seed: number, slices: number): Promise<GradientResult>;
  /** The fused GroupNorm + scale-shift + SiLU kernel (y and every gradient) against the CPU backend's op chain. */
  fusedGroupNorm(): Promise<SimdKernelResult>;
  /** A Winograd 3x3 convolution with bias (y and the x, filter and bias gradients) against the CPU backend's convolution. */
  winogradConv(): Promise<SimdKernelResult>;
}

/** Seeded values in [offset - scale, offset + scale). */
function randomValues(rng: Rng, n: number, scale: number, offset: number): Float32Array {
  return Float32Array.from({ length: n }, () => offset + scale * (2 * rng.next() - 1));
}

/** f's output and its gradients for every input, each input built on the active backend, all flattened into one array. */
function valuesAndGradients(inputs: Array<() => tf.Tensor>, f: (...args: tf.Tensor[]) => tf.Tensor): Float32Array {
  const tensors = inputs.map((make) => make());
  const y = f(...tensors);
  const weights = tf.randomUniform(y.shape, -1, 1, 'float32', 7);
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), weights)))(tensors);
  const parts = [y, ...grads].map((t) => t.dataSync() as Float32Array);
  tf.dispose([...tensors, weights, y, ...grads]);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

/** y and every gradient of groupNormSilu on the active backend, at odd sizes (12 channels in 4 groups). */
function groupNormSiluValues(): Float32Array {
  const shape: [number, number, number, number] = [3, 7, 9, 12];
  const rng = new Rng('wasm-threads-group-norm');
  const size = shape.reduce((a, b) => a * b, 1);
  return valuesAndGradients(
    [() => tf.tensor4d(randomValues(rng, size, 3, 5), shape), () => tf.tensor1d(randomValues(rng, 12, 0.5, 1)), () => tf.tensor1d(randomValues(rng, 12, 0.5, 0)), () => tf.tensor2d(randomValues(rng, 3 * 24, 0.5, 0), [3, 24])],
    (x, gamma, beta, scaleShift) => groupNormSilu(x as tf.Tensor4D, gamma, beta, 4, scaleShift as tf.Tensor2D),
  );
}

/** y and the x, filter and bias gradients of a 'same' 3x3 convolution 8 -> 12 channels at odd sizes (partial tiles). */
function winogradConvValues(): Float32Array {
  const rng = new Rng('wasm-threads-winograd');
  return valuesAndGradients(
    [() => tf.tensor4d(randomValues(rng, 3 * 7 * 9 * 8, 1, 0), [3, 7, 9, 8]), () => tf.tensor4d(randomValues(rng, 3 * 3 * 8 * 12, 0.3, 0), [3, 3, 8, 12]), () => tf.tensor1d(randomValues(rng, 12, 1, 0))],
    (x, filter, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, bias, strides: 1, pad: 'same' }),
  );
}

/** A kernel's values on this worker's WASM, then on tfjs's CPU backend. */
async function againstCpu(linked: boolean, values: () => Float32Array): Promise<SimdKernelResult> {
  const wasm = values();
  await tf.setBackend('cpu');
  const cpu = values();
  await tf.setBackend('wasm');
  return Comlink.transfer({ linked, wasm, cpu }, [wasm.buffer, cpu.buffer]);
}

const api: WasmCheckApi = {
  async start(threads, threadsCount) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads);
    if (threadsCount !== undefined) {
      // tfjs caps the pool at navigator.hardwareConcurrency / 2 (1 on a 2-core machine), read when the module starts.
      Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threadsCount, configurable: true });
      setThreadsCount(threadsCount);
    }
    const backend = await initBackend('wasm', { wasmPaths: WASM_ASSET_URLS });
    if (backend.name !== 'wasm') throw new Error(`WASM did not start: ${backend.reason}`);
    return { reason: backend.reason, threadsCount: getThreadsCount() };
  },

  async forward(options) {
    const result = await backendCheck('wasm', options, WASM_ASSET_URLS);
    return Comlink.transfer(result, [result.output.buffer]);
  },

  async gradient(seed, slices) {
    const rng = new Rng(`wasm-threads-gradient:${seed}`);
    const unet = UNet.create(unetPreset('tiny'), seed);
    unet.assignWeights(randomWeights(unet.config, rng));
    const pixels = slices * SLICE_SIZE * SLICE_SIZE;
    const x0Values = new Float32Array(pixels);
    const xtValues = new Float32Array(pixels);
    const maskValues = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) {
      x0Values[i] = 2 * rng.next() - 1;
      xtValues[i] = x0Values[i] + 0.5 * (2 * rng.next() - 1);
      const row = Math.floor(i / SLICE_SIZE) % SLICE_SIZE;
      const col = i % SLICE_SIZE;
      maskValues[i] = row >= 24 && row < 72 && col >= 24 && col < 72 ? 1 : 0;
    }
    const shape: [number, number, number, number] = [slices, SLICE_SIZE, SLICE_SIZE, 1];
    const t = Array.from({ length: slices }, () => rng.int(1000));
    const x0 = tf.tensor4d(x0Values, shape);
    const xt = tf.tensor4d(xtValues, shape);
    const mask = tf.tensor4d(maskValues, shape);
    try {
      const started = performance.now();
      const variables = unet.trainableVariables();
      const { value, grads } = tf.variableGrads(
        () => patchedLoss(unet.apply(xt, t), x0, mask, { kind: 'fq', alpha: 0.5, range: 'model' }),
        variables,
      );
      const parts = await Promise.all(variables.map((v) => grads[v.name].data()));
      const loss = (await value.data())[0];
      const elapsedMs = performance.now() - started;
      tf.dispose([value, ...Object.values(grads)]);
      const gradients = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const part of parts) {
        gradients.set(part, offset);
        offset += part.length;
      }
      return Comlink.transfer({ loss, gradients, elapsedMs }, [gradients.buffer]);
    } finally {
      tf.dispose([x0, xt, mask]);
      unet.dispose();
    }
  },

  fusedGroupNorm() {
    return againstCpu(fusedGroupNormSiluAvailable(), groupNormSiluValues);
  },

  winogradConv() {
    return againstCpu(winogradLinked(), winogradConvValues);
  },
};

Comlink.expose(api);
