// The pDDPM denoiser: a guided-diffusion U-Net held as named tfjs variables, with seeded PyTorch-style initialisation.
import * as tf from '@tensorflow/tfjs';
import { applyAttention, applyConv, applyResBlock, groupNormSilu, linear, silu, timestepEmbedding, type ParamLookup } from './layers.ts';
import { Rng } from './rng.ts';
import type { UNetConfig } from './unetConfig.ts';
import { unetParamSpecs, unetPlan, type ParamSpec, type UNetLayer, type UNetPlan } from './unetPlan.ts';

/** Fresh values of one weight: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (PyTorch's default), zeros or ones. */
export function initialValues(spec: ParamSpec, rng: Rng): Float32Array {
  const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
  if (spec.init.kind === 'ones') values.fill(1);
  if (spec.init.kind === 'uniform') {
    const bound = 1 / Math.sqrt(spec.init.fanIn);
    for (let i = 0; i < values.length; i++) values[i] = (2 * rng.next() - 1) * bound;
  }
  return values;
}

/**
 * The model: x0 = unet.apply(x_t, t) on NHWC [N, H, W, 1] inputs in the [-1, 1] range, t integer
 * diffusion steps (0 .. 999) per sample. Weights live in `variables`, keyed by guided-diffusion names.
 * @example const unet = UNet.create(unetPreset('tiny'), 1); const x0 = unet.apply(xt, [499, 499]);
 */
export class UNet {
  readonly plan: UNetPlan;
  readonly specs: readonly ParamSpec[];
  readonly variables: ReadonlyMap<string, tf.Variable>;

  private constructor(readonly config: UNetConfig, values: (spec: ParamSpec) => Float32Array) {
    this.plan = unetPlan(config);
    this.specs = unetParamSpecs(this.plan);
    const variables = new Map<string, tf.Variable>();
    for (const spec of this.specs) {
      const v = values(spec);
      if (v.length !== spec.shape.reduce((a, b) => a * b, 1)) throw new Error(`UNet: weight ${spec.name} has ${v.length} values, expected shape [${spec.shape}]`);
      // The variable shares the initial tensor's data; disposing the initial tensor keeps only the variable alive.
      const initial = tf.tensor(v, spec.shape, 'float32');
      variables.set(spec.name, tf.variable(initial, true));
      initial.dispose();
    }
    this.variables = variables;
  }

  /** A freshly initialised model; the same seed gives the same weights. */
  static create(config: UNetConfig, seed: number): UNet {
    const rng = new Rng(`unet-init:${seed}`);
    return new UNet(config, (spec) => initialValues(spec, rng));
  }

  /** A model from saved weights (one array per spec, by name). */
  static fromWeights(config: UNetConfig, weights: ReadonlyMap<string, Float32Array>): UNet {
    return new UNet(config, (spec) => {
      const w = weights.get(spec.name);
      if (w === undefined) throw new Error(`UNet: the weights lack ${spec.name}`);
      return w;
    });
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /** The trainable variables in spec order (the optimiser's and the checkpoint's order). */
  trainableVariables(): tf.Variable[] {
    return this.specs.map((s) => this.param(s.name) as tf.Variable);
  }

  /** Copies of all weights (read back from the backend). */
  async readWeights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const spec of this.specs) out.set(spec.name, (await this.param(spec.name).data()) as Float32Array);
    return out;
  }

  /** Overwrites all weights in place (same shapes). */
  assignWeights(weights: ReadonlyMap<string, Float32Array>): void {
    for (const spec of this.specs) {
      const w = weights.get(spec.name);
      if (w === undefined) throw new Error(`UNet: the weights lack ${spec.name}`);
      const v = this.param(spec.name) as tf.Variable;
      tf.tidy(() => v.assign(tf.tensor(w, spec.shape, 'float32')));
    }
  }

  /** The x0 prediction for x_t at steps t. Runs in its own tidy; the caller owns the result. */
  apply(x: tf.Tensor4D, t: ArrayLike<number>): tf.Tensor4D {
    const n = x.shape[0];
    if (t.length !== n) throw new Error(`UNet.apply: ${t.length} timesteps for a batch of ${n}`);
    const { groups, numHeads, modelChannels } = this.config;
    const p: ParamLookup = (name) => this.param(name);
    return tf.tidy(() => {
      const sinusoid = tf.tensor2d(timestepEmbedding(t, modelChannels), [n, modelChannels]);
      const emb = linear(silu(linear(sinusoid, p, 'time_embed.0')) as tf.Tensor2D, p, 'time_embed.2');
      const embSilu = silu(emb) as tf.Tensor2D;
      // One tidy per layer frees each layer's temporaries at once (backprop keeps what it needs as
      // saved clones), which bounds memory by the activations instead of every intermediate.
      const run = (layer: UNetLayer, h: tf.Tensor4D): tf.Tensor4D =>
        tf.tidy(() => {
          if (layer.kind === 'conv') return applyConv(layer, h, p);
          if (layer.kind === 'res') return applyResBlock(layer, h, embSilu, p, groups, this.config.scaleShift !== false);
          return applyAttention(layer, h, p, groups, numHeads);
        });
      const skips: tf.Tensor4D[] = [];
      let h = x;
      for (const block of this.plan.inputBlocks) {
        for (const layer of block) h = run(layer, h);
        skips.push(h);
      }
      for (const layer of this.plan.middleBlock) h = run(layer, h);
      for (const block of this.plan.outputBlocks) {
        const skip = skips.pop();
        if (skip === undefined) throw new Error('UNet.apply: skip stack underflow');
        h = tf.concat([h, skip], 3);
        for (const layer of block) h = run(layer, h);
      }
      const head = groupNormSilu(h, p('out.0.weight'), p('out.0.bias'), groups);
      return applyConv({ kind: 'conv', name: 'out.2', inCh: this.plan.outCh, outCh: 1, kernel: 3, zeroInit: true }, head, p);
    });
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }

  private param(name: string): tf.Tensor {
    const v = this.variables.get(name);
    if (v === undefined) throw new Error(`UNet: no weight named ${name}`);
    return v;
  }
}
