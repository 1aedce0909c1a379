// The pDDPM training losses: l1 (pDDPM baseline) or FQ (pDDPM-IQA) between x0 and the prediction pasted into x0's surroundings.
import * as tf from '@tensorflow/tfjs';
import { fqMapTf } from './ssim.ts';

/** 'l1' = mean |x0_hat - x0| (alpha = 0); 'fq' = mean FQ map with weight alpha. */
export type LossKind = 'l1' | 'fq';

/**
 * Data range the FQ map is computed on: 'model' = the network's [-1, 1] (the reference code's quirk,
 * default), 'unit' = mapped back to [0, 1] first (as the test-time score is).
 */
export type LossRange = 'model' | 'unit';

export interface LossOptions {
  kind: LossKind;
  alpha: number;
  range: LossRange;
}

/**
 * Loss of a batch: outside the box the prediction is replaced by x0, so only the box (and, for FQ,
 * the SSIM window's band around it) contributes; mean over all pixels of each slice, then the batch.
 * prediction and x0 are NHWC on [-1, 1]; mask is 1 inside each sample's box. `outside` replaces x0 outside the box
 * where the model's clean input was not x0 (mDDPM's masked slice, compared with x0 there without a gradient).
 */
export function patchedLoss(prediction: tf.Tensor4D, x0: tf.Tensor4D, mask: tf.Tensor, options: LossOptions, outside: tf.Tensor4D = x0): tf.Scalar {
  return tf.tidy(() => {
    let merged = tf.add(outside, tf.mul(mask, tf.sub(prediction, outside))) as tf.Tensor4D;
    let target = x0;
    if (options.range === 'unit') {
      merged = tf.div(tf.add(merged, 1), 2) as tf.Tensor4D;
      target = tf.div(tf.add(x0, 1), 2) as tf.Tensor4D;
    }
    const alpha = options.kind === 'l1' ? 0 : options.alpha;
    return tf.mean(fqMapTf(merged, target, alpha)) as tf.Scalar;
  });
}
