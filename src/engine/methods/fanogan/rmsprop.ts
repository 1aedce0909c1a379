// RMSprop with PyTorch's update (no momentum, not centred), for f-AnoGAN's encoder; its state checkpoints and resumes bit for bit.
import * as tf from '@tensorflow/tfjs';
import type { RmspropSettings } from './network.ts';

/** square = alpha * square + (1 - alpha) * g^2; p -= lr * g / (sqrt(square) + eps) (torch.optim.RMSprop's defaults). */
export class Rmsprop {
  readonly meanSquares: tf.Variable[];

  constructor(readonly variables: readonly tf.Variable[], readonly settings: RmspropSettings) {
    this.meanSquares = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update from gradients in `variables` order. */
  apply(gradients: readonly tf.Tensor[]): void {
    if (gradients.length !== this.variables.length) throw new Error(`RMSprop: ${gradients.length} gradients for ${this.variables.length} variables`);
    const { learningRate, alpha, epsilon } = this.settings;
    tf.tidy(() => {
      this.variables.forEach((p, i) => {
        const g = gradients[i];
        const square = tf.add(tf.mul(this.meanSquares[i], alpha), tf.mul(tf.square(g), 1 - alpha));
        this.meanSquares[i].assign(square);
        p.assign(tf.sub(p, tf.mul(tf.div(g, tf.add(tf.sqrt(square), epsilon)), learningRate)));
      });
    });
  }

  /** Replaces the mean squares (from a checkpoint), same order and shapes as `variables`. */
  restore(meanSquares: readonly Float32Array[]): void {
    this.variables.forEach((v, i) => {
      tf.tidy(() => this.meanSquares[i].assign(tf.tensor(meanSquares[i], v.shape, 'float32')));
    });
  }

  dispose(): void {
    tf.dispose(this.meanSquares);
  }
}
