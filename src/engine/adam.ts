// Adam with PyTorch's exact update (eps 1e-8, bias correction in float64) and a state that checkpoints and resumes bit for bit.
import * as tf from '@tensorflow/tfjs';
import { fusedAdamAvailable, fusedAdamUpdate } from './wasmAdam.ts';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** torch.optim.Adam's defaults with the paper's learning rate. */
export const ADAM_DEFAULTS: Readonly<AdamSettings> = { learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), with m, v the usual moving moments.
 * (tf.train.adam differs: epsilon 1e-7 and a float32 running b^t that cannot be restored exactly.)
 */
export class Adam {
  /** Updates applied so far (t of the bias correction). */
  step = 0;
  readonly firstMoments: tf.Variable[];
  readonly secondMoments: tf.Variable[];

  constructor(readonly variables: readonly tf.Variable[], readonly settings: AdamSettings = ADAM_DEFAULTS) {
    // tidy frees the zero tensors the variables were made from (variables themselves are kept).
    this.firstMoments = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
    this.secondMoments = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update from gradients in `variables` order (on WASM one fused pass per tensor, wasmAdam.ts, with the same bits). */
  apply(gradients: readonly tf.Tensor[]): void {
    if (gradients.length !== this.variables.length) throw new Error(`Adam: ${gradients.length} gradients for ${this.variables.length} variables`);
    this.step++;
    const { learningRate, beta1, beta2, epsilon } = this.settings;
    const stepSize = learningRate / (1 - beta1 ** this.step);
    const secondCorrection = Math.sqrt(1 - beta2 ** this.step);
    const fused = fusedAdamAvailable();
    tf.tidy(() => {
      this.variables.forEach((p, i) => {
        const g = gradients[i];
        if (fused) {
          const [pNext, mNext, vNext] = fusedAdamUpdate(p, this.firstMoments[i], this.secondMoments[i], g, { beta1, beta2, epsilon, stepSize, secondCorrection });
          this.firstMoments[i].assign(mNext);
          this.secondMoments[i].assign(vNext);
          p.assign(pNext);
          return;
        }
        const m = tf.add(tf.mul(this.firstMoments[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.secondMoments[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
        const denominator = tf.add(tf.div(tf.sqrt(v), secondCorrection), epsilon);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denominator), stepSize)));
      });
    });
  }

  /** Replaces the moments and step (from a checkpoint), same order and shapes as `variables`. */
  restore(step: number, first: readonly Float32Array[], second: readonly Float32Array[]): void {
    this.step = step;
    this.variables.forEach((v, i) => {
      tf.tidy(() => {
        this.firstMoments[i].assign(tf.tensor(first[i], v.shape, 'float32'));
        this.secondMoments[i].assign(tf.tensor(second[i], v.shape, 'float32'));
      });
    });
  }

  dispose(): void {
    tf.dispose([...this.firstMoments, ...this.secondMoments]);
  }
}
