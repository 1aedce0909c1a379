// Adam's update as one WebAssembly SIMD pass per weight tensor on the tfjs WASM backend (wasm/adam.as.ts), bit for bit what adam.ts's op chain computes.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelInput, type KernelArgs } from './kernelArgs.ts';
import { ADAM_SHARED_WASM_BASE64, ADAM_WASM_BASE64 } from './wasm/adamWasm.ts';
import { linkedExports, tensorOffset, type KernelModuleBytes } from './wasmLinkedModule.ts';

export const ADAM_KERNEL = 'FqlabAdam';

/** The update's float32 constants (adam.ts computes them in float64 per step). */
export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** learningRate / (1 - beta1^t) */
  stepSize: number;
  /** sqrt(1 - beta2^t) */
  secondCorrection: number;
}

/** The export of wasm/adam.as.ts (pointers are byte offsets into tfjs's memory). */
interface AdamPass {
  adamUpdate(
    p: number, m: number, v: number, g: number, count: number, pOut: number, mOut: number, vOut: number,
    beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, secondCorrection: number, epsilon: number, stepSize: number,
  ): void;
}

const ADAM_MODULE: KernelModuleBytes = { unsharedBase64: ADAM_WASM_BASE64, sharedBase64: ADAM_SHARED_WASM_BASE64 };

function input(args: KernelArgs, name: string): tf.TensorInfo {
  return kernelInput(args, name, 'Adam kernel');
}

/** [p', m', v'] in new tensors: the inputs may share their data with other tensors (clones, reshapes), so none is written. */
function adamKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const pass = linkedExports<AdamPass>(backend, ADAM_MODULE);
  if (pass === null) throw new Error('Adam kernel: the WebAssembly SIMD pass does not link to this WASM backend');
  const [p, m, v, g] = ['p', 'm', 'v', 'g'].map((name) => input(args, name));
  const outputs = [p, m, v].map((t) => backend.makeOutput([...t.shape], 'float32'));
  const { beta1, beta2, epsilon, stepSize, secondCorrection } = args.attrs as unknown as AdamUpdateAttrs;
  const at = (t: tf.TensorInfo): number => tensorOffset(backend, t);
  pass.adamUpdate(
    at(p), at(m), at(v), at(g), tf.util.sizeFromShape(p.shape), at(outputs[0]), at(outputs[1]), at(outputs[2]),
    beta1, 1 - beta1, beta2, 1 - beta2, secondCorrection, epsilon, stepSize,
  );
  return outputs;
}

let registered = false;

/** Registers the kernel for the WASM backend (idempotent). */
export function registerWasmAdam(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamKernel as unknown as tf.KernelFunc });
}

/** Whether Adam should take the fused pass: the active backend is WASM and the module links to its memory. */
export function fusedAdamAvailable(): boolean {
  return registered && tf.getBackend() === 'wasm' && linkedExports<AdamPass>(tf.backend() as BackendWasm, ADAM_MODULE) !== null;
}

/** [p', m', v'] of one weight tensor by the fused pass (where fusedAdamAvailable). */
export function fusedAdamUpdate(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, attrs: AdamUpdateAttrs): tf.Tensor[] {
  return tf.engine().runKernel(ADAM_KERNEL, { p, m, v, g }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
