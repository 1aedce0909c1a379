// The U-Net: exact parameter counts of the presets, and the forward pass against a numpy guided-diffusion reference.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { averagePool2x, silu, upsampleNearest2x } from '../../src/engine/layers.ts';
import { patchedLoss, UNET_PRESETS, UNet, unetForwardFlops, unetParameterCount, unetParamSpecs, unetPlan, unetPreset } from '../../src/engine/index.ts';
import type { UNetFixture } from './unetFixture.ts';
import { useWasm } from './backendSetup.ts';
import { readF32, readJson } from './fixtures.ts';

describe('U-Net presets', () => {
  it('have the reference parameter counts (counted from the plan, nothing allocated)', () => {
    expect(unetParameterCount(UNET_PRESETS.paper)).toBe(37_513_857);
    expect(unetParameterCount(UNET_PRESETS.base)).toBe(9_393_473);
    expect(unetParameterCount(UNET_PRESETS.small)).toBe(2_355_873);
    expect(unetParameterCount(UNET_PRESETS.tiny)).toBe(83_033);
  });

  it('cost about 149, 37 and 9.4 GFLOP per 96 x 96 slice (SPEC 3)', () => {
    expect(unetForwardFlops(UNET_PRESETS.paper) / 1e9).toBeCloseTo(149.1, 1);
    expect(unetForwardFlops(UNET_PRESETS.base) / 1e9).toBeCloseTo(37.4, 1);
    expect(unetForwardFlops(UNET_PRESETS.small) / 1e9).toBeCloseTo(9.39, 2);
    expect(unetForwardFlops(UNET_PRESETS.tiny) / 1e9).toBeCloseTo(0.333, 3);
  });

  it('name every weight once, with guided-diffusion state_dict names', () => {
    const specs = unetParamSpecs(unetPlan(UNET_PRESETS.paper));
    const names = specs.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('middle_block.1.qkv.weight');
    expect(names).toContain('input_blocks.4.0.in_layers.2.weight');
    expect(names).toContain('output_blocks.11.0.skip_connection.weight');
    expect(names.at(-1)).toBe('out.2.bias');
  });
});

describe('U-Net forward', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('matches the numpy reference on random weights (every block kind, 2 samples, t = 3 and 817)', () => {
    const fixture = readJson<UNetFixture>('unet.json');
    const all = readF32('unet_weights.f32');
    const weights = new Map<string, Float32Array>();
    for (const w of fixture.weights) weights.set(w.name, all.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1)));
    expect(unetParameterCount(fixture.config)).toBe(fixture.parameterCount);
    const model = UNet.fromWeights(fixture.config, weights);
    expect(model.parameterCount).toBe(fixture.parameterCount);
    for (const spec of model.specs) expect(fixture.weights.find((w) => w.name === spec.name)?.shape).toEqual(spec.shape);
    const x = tf.tensor4d(readF32('unet_input.f32'), [fixture.batch, fixture.size, fixture.size, 1]);
    const y = model.apply(x, fixture.t);
    const got = y.dataSync();
    const want = readF32('unet_output.f32');
    let maxErr = 0;
    for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    expect(maxErr).toBeLessThan(2e-5);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('starts at zero output (zero-initialised head) with the right shape, and seeds reproduce weights', async () => {
    const a = UNet.create(unetPreset('tiny'), 5);
    const b = UNet.create(unetPreset('tiny'), 5);
    const c = UNet.create(unetPreset('tiny'), 6);
    const x = tf.randomUniform([3, 96, 96, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const y = a.apply(x, [0, 500, 999]);
    expect(y.shape).toEqual([3, 96, 96, 1]);
    expect(tf.max(tf.abs(y)).dataSync()[0]).toBe(0);
    const wa = await a.readWeights();
    const wb = await b.readWeights();
    const wc = await c.readWeights();
    const name = 'input_blocks.1.0.in_layers.2.weight';
    expect(Array.from(wa.get(name) ?? [])).toEqual(Array.from(wb.get(name) ?? []));
    expect(Array.from(wa.get(name) ?? [])).not.toEqual(Array.from(wc.get(name) ?? []));
    // PyTorch default init bound 1 / sqrt(fan_in) = 1 / sqrt(8 * 9).
    const w = wa.get(name) ?? new Float32Array();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(72));
    tf.dispose([x, y]);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('U-Net gradients', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('WASM (engine kernels) gives the CPU backend\'s gradients for a full FQ-loss step of every block kind', async () => {
    const fixture = readJson<UNetFixture>('unet.json');
    const all = readF32('unet_weights.f32');
    const weights = new Map<string, Float32Array>();
    for (const w of fixture.weights) weights.set(w.name, all.subarray(w.offset, w.offset + w.shape.reduce((a, b) => a * b, 1)));
    const input = readF32('unet_input.f32');
    const gradients = (): Map<string, Float32Array> => {
      const model = UNet.fromWeights(fixture.config, weights);
      const out = new Map<string, Float32Array>();
      tf.tidy(() => {
        const x = tf.tensor4d(input, [fixture.batch, fixture.size, fixture.size, 1]);
        const target = tf.tanh(tf.mul(x, 3)) as tf.Tensor4D;
        const mask = tf.ones([fixture.batch, fixture.size, fixture.size, 1]);
        const { grads } = tf.variableGrads(() => patchedLoss(model.apply(x, fixture.t), target, mask, { kind: 'fq', alpha: 0.84, range: 'model' }), model.trainableVariables());
        for (const spec of model.specs) out.set(spec.name, grads[(model.variables.get(spec.name) as tf.Variable).name].dataSync() as Float32Array);
      });
      model.dispose();
      return out;
    };
    await tf.setBackend('wasm');
    const wasm = gradients();
    await tf.setBackend('cpu');
    const cpu = gradients();
    await tf.setBackend('wasm');
    for (const [name, g] of cpu) {
      const w = wasm.get(name) ?? new Float32Array();
      const scale = Math.max(1e-3, ...g.map(Math.abs));
      let err = 0;
      for (let i = 0; i < g.length; i++) err = Math.max(err, Math.abs(w[i] - g[i]));
      expect(err / scale, name).toBeLessThan(1e-4);
    }
  });

  it('nearest 2x upsampling has the block-sum gradient for batches > 1 (tfjs CPU resizeNearestNeighbor does not)', () => {
    const dy = tf.tensor4d(Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => (i * 7) % 11), [2, 4, 4, 3]);
    const x = tf.zeros([2, 2, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(upsampleNearest2x(v as tf.Tensor4D), dy)))(x).dataSync();
    const dyv = dy.dataSync();
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          for (let c = 0; c < 3; c++) {
            let sum = 0;
            for (const [di, dj] of [[0, 0], [0, 1], [1, 0], [1, 1]]) sum += dyv[((b * 4 + 2 * i + di) * 4 + 2 * j + dj) * 3 + c];
            expect(g[((b * 2 + i) * 2 + j) * 3 + c]).toBe(sum);
          }
        }
      }
    }
    tf.dispose([dy, x]);
  });

  it('2 x 2 average pooling spreads a quarter of each gradient over its block, for even and odd sides', () => {
    for (const shape of [[2, 4, 6, 3], [1, 5, 7, 2]] as Array<[number, number, number, number]>) {
      const x = tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)), shape);
      const pooled = tf.avgPool(x, 2, 2, 'valid');
      const dy = tf.tensor4d(Array.from({ length: pooled.size }, (_, i) => ((i * 5) % 9) - 4), pooled.shape);
      expect(Array.from(averagePool2x(x).dataSync())).toEqual(Array.from(pooled.dataSync()));
      const mine = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(averagePool2x(v as tf.Tensor4D), dy)))(x).dataSync();
      const stock = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, 2, 2, 'valid'), dy)))(x).dataSync();
      expect(Array.from(mine)).toEqual(Array.from(stock));
      tf.dispose([x, pooled, dy]);
    }
  });

  it('SiLU\'s hand-written gradient equals autodiff of x * sigmoid(x)', () => {
    const x = tf.linspace(-8, 8, 101);
    const dy = tf.cos(x);
    const mine = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(silu(v), dy)))(x).dataSync();
    const auto = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mul(v, tf.sigmoid(v)), dy)))(x).dataSync();
    for (let i = 0; i < mine.length; i++) expect(mine[i]).toBeCloseTo(auto[i], 6);
    tf.dispose([x, dy]);
  });
});
