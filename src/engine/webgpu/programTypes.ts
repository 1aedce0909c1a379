// The slice of tfjs-backend-webgpu's backend that fqlab's WebGPU kernels use.
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** The webgpu backend as a kernel sees it: it runs a shader program on inputs and frees intermediate outputs. */
export interface WebGpuProgramRunner {
  runWebGPUProgram(program: WebGPUProgram, inputs: tf.TensorInfo[], outputDtype: tf.DataType, uniforms: { type: string; data: number[] }[]): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}
