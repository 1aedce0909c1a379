// What tfjs passes a registered kernel function, and its inputs by name: declared once for the engine's custom WASM and WebGPU kernels.
import type * as tf from '@tensorflow/tfjs';

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** The named input of a kernel call; `kernel` names the kernel in the error when it is missing. */
export function kernelInput(args: KernelArgs, name: string, kernel: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new Error(`${kernel}: missing input ${name}`);
  return t;
}
