// The autoencoders' shared pieces: conv and Linear weight specs, and BatchNorm (batch statistics in training, running ones at inference, their update).
import * as tf from '@tensorflow/tfjs';
import type { ParamSpec } from '../../unetPlan.ts';
import type { WeightStore } from '../weightStore.ts';

/** A conv's weights in tfjs's layout [k, k, in, out], PyTorch's initialisation. */
export const convSpecs = (name: string, k: number, inCh: number, outCh: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [k, k, inCh, outCh], init: { kind: 'uniform', fanIn: k * k * inCh } },
  { name: `${name}.bias`, shape: [outCh], init: { kind: 'uniform', fanIn: k * k * inCh } },
];

/** tfjs's transposed-conv layout [k, k, out, in]; PyTorch computes its fan-in from the out channels. */
export const deconvSpecs = (name: string, k: number, inCh: number, outCh: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [k, k, outCh, inCh], init: { kind: 'uniform', fanIn: k * k * outCh } },
  { name: `${name}.bias`, shape: [outCh], init: { kind: 'uniform', fanIn: k * k * outCh } },
];

/** A Linear's weights in tfjs's layout [in, out], PyTorch's initialisation. */
export const denseSpecs = (name: string, inCh: number, outCh: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [inCh, outCh], init: { kind: 'uniform', fanIn: inCh } },
  { name: `${name}.bias`, shape: [outCh], init: { kind: 'uniform', fanIn: inCh } },
];

/** A BatchNorm's parameters in PyTorch's state_dict names: scale and shift trainable, running statistics stored state. */
export const batchNormSpecs = (name: string, ch: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [ch], init: { kind: 'ones' } },
  { name: `${name}.bias`, shape: [ch], init: { kind: 'zeros' } },
  { name: `${name}.running_mean`, shape: [ch], init: { kind: 'zeros' }, trainable: false },
  { name: `${name}.running_var`, shape: [ch], init: { kind: 'ones' }, trainable: false },
];

/** One BatchNorm's batch statistics, kept for the running-statistics update after the step's gradients. */
export type BatchStatistics = Map<string, { mean: tf.Tensor; variance: tf.Tensor; count: number }>;

/** BatchNorm over N, H, W: the batch's statistics when training (recorded in `collect`), else the running ones. */
export function batchNorm(store: WeightStore, x: tf.Tensor4D, name: string, epsilon: number, training: boolean, collect?: BatchStatistics): tf.Tensor4D {
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (training) {
    ({ mean, variance } = tf.moments(x, [0, 1, 2]));
    collect?.set(name, { mean: tf.keep(mean), variance: tf.keep(variance), count: x.shape[0] * x.shape[1] * x.shape[2] });
  } else {
    mean = store.get(`${name}.running_mean`);
    variance = store.get(`${name}.running_var`);
  }
  return tf.batchNorm(x, mean as tf.Tensor1D, variance as tf.Tensor1D, store.get(`${name}.bias`) as tf.Tensor1D, store.get(`${name}.weight`) as tf.Tensor1D, epsilon);
}

/** Moves every running mean and variance towards the collected batch statistics, and frees those. */
export function updateRunningStatistics(store: WeightStore, collect: BatchStatistics, momentum: number): void {
  for (const [name, stats] of collect) {
    tf.tidy(() => {
      const mean = store.get(`${name}.running_mean`);
      const variance = store.get(`${name}.running_var`);
      // The running variance follows the unbiased batch variance (n / (n - 1)).
      const unbiased = tf.mul(stats.variance, stats.count / Math.max(1, stats.count - 1));
      mean.assign(tf.add(tf.mul(mean, momentum), tf.mul(stats.mean, 1 - momentum)));
      variance.assign(tf.add(tf.mul(variance, momentum), tf.mul(unbiased, 1 - momentum)));
    });
    tf.dispose([stats.mean, stats.variance]);
  }
}
