// Named tfjs variables for a method's network from its specs: seeded PyTorch-style initialisation, reads, assignments.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng.ts';
import { initialValues } from '../unet.ts';
import type { ParamSpec } from '../unetPlan.ts';

/** Fresh weights for specs in order from one seeded stream (the U-Net's own initialisation, so pDDPM's stay bit-identical). */
export function freshWeights(specs: readonly ParamSpec[], streamName: string, seed: number): Map<string, Float32Array> {
  const rng = new Rng(`${streamName}:${seed}`);
  return new Map(specs.map((spec) => [spec.name, initialValues(spec, rng)]));
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Trainable parameters of specs (PyTorch's count: non-trainable state excluded). */
export function trainableCount(specs: readonly ParamSpec[]): number {
  return specs.filter((s) => s.trainable !== false).reduce((n, s) => n + elementCount(s.shape), 0);
}

/** A network's weights as tfjs variables, keyed by spec name. */
export class WeightStore {
  readonly trainableSpecs: readonly ParamSpec[];
  private readonly variables = new Map<string, tf.Variable>();

  constructor(readonly specs: readonly ParamSpec[], weights: ReadonlyMap<string, Float32Array>) {
    this.trainableSpecs = specs.filter((s) => s.trainable !== false);
    for (const spec of specs) {
      const values = weights.get(spec.name);
      if (values === undefined) throw new Error(`network: the weights lack ${spec.name}`);
      if (values.length !== elementCount(spec.shape)) throw new Error(`network: weight ${spec.name} has ${values.length} values, expected shape [${spec.shape}]`);
      const initial = tf.tensor(values, spec.shape, 'float32');
      this.variables.set(spec.name, tf.variable(initial, spec.trainable !== false));
      initial.dispose();
    }
  }

  get parameterCount(): number {
    return trainableCount(this.specs);
  }

  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (v === undefined) throw new Error(`network: no weight named ${name}`);
    return v;
  }

  trainableVariables(): tf.Variable[] {
    return this.trainableSpecs.map((s) => this.get(s.name));
  }

  async readWeights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const spec of this.specs) out.set(spec.name, (await this.get(spec.name).data()) as Float32Array);
    return out;
  }

  assignWeights(weights: ReadonlyMap<string, Float32Array>): void {
    for (const spec of this.specs) {
      const w = weights.get(spec.name);
      if (w === undefined) throw new Error(`network: the weights lack ${spec.name}`);
      const v = this.get(spec.name);
      tf.tidy(() => v.assign(tf.tensor(w, spec.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
  }
}

/** The weight-handling half of a MethodNetwork whose weights live in one WeightStore (the autoencoders, the DAE). */
export abstract class StoredWeightsNetwork {
  protected readonly store: WeightStore;

  constructor(specs: readonly ParamSpec[], weights: ReadonlyMap<string, Float32Array>) {
    this.store = new WeightStore(specs, weights);
  }

  get specs(): readonly ParamSpec[] {
    return this.store.specs;
  }

  get trainableSpecs(): readonly ParamSpec[] {
    return this.store.trainableSpecs;
  }

  get parameterCount(): number {
    return this.store.parameterCount;
  }

  trainableVariables(): tf.Variable[] {
    return this.store.trainableVariables();
  }

  readWeights(): Promise<Map<string, Float32Array>> {
    return this.store.readWeights();
  }

  assignWeights(weights: ReadonlyMap<string, Float32Array>): void {
    this.store.assignWeights(weights);
  }

  dispose(): void {
    this.store.dispose();
  }
}

/**
 * Runs a deterministic slice-wise network over a conformed volume, `batch` axial slices per forward pass, and returns
 * the volume of its outputs (x, y, axial order as the input).
 */
export async function sliceWise(
  volume: Float32Array,
  dims: readonly [number, number, number],
  forward: (x: tf.Tensor4D) => tf.Tensor4D,
  onProgress?: (done: number, total: number) => void,
  batch = 8,
): Promise<Float32Array> {
  const [nx, ny, nz] = dims;
  const sliceSize = nx * ny;
  if (volume.length !== sliceSize * nz) throw new RangeError(`reconstruct: expected ${nx} x ${ny} x ${nz} = ${sliceSize * nz} voxels, got ${volume.length}`);
  const out = new Float32Array(volume.length);
  for (let k0 = 0; k0 < nz; k0 += batch) {
    const count = Math.min(batch, nz - k0);
    const result = tf.tidy(() => forward(tf.tensor4d(volume.subarray(k0 * sliceSize, (k0 + count) * sliceSize), [count, ny, nx, 1])));
    out.set((await result.data()) as Float32Array, k0 * sliceSize);
    result.dispose();
    onProgress?.(k0 + count, nz);
  }
  return out;
}
