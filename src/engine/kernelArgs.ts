// What tfjs passes a registered kernel function: declared once for the engine's custom WASM and WebGPU kernels.
import type * as tf from '@tensorflow/tfjs';

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}
