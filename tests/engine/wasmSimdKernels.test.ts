// The WebAssembly SIMD GroupNorm and Adam kernels (engine/wasm/*.as.ts on tfjs's memory) against tfjs CPU op chains, and the build's staleness check.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../src/engine/adam.ts';
import { GROUP_NORM_EPS, groupNorm, groupNormSilu } from '../../src/engine/layers.ts';
import { fusedAdamAvailable } from '../../src/engine/wasmAdam.ts';
import { fusedGroupNormAvailable, fusedGroupNormSiluAvailable } from '../../src/engine/wasmGroupNorm.ts';
import { useWasm } from './backendSetup.ts';
import { seededValues as values } from './synthetic.ts';
import { relativeError } from '../support/closeness.ts';

/** The textbook GroupNorm (two-pass moments) then scale-shift and SiLU, as separate tfjs ops. */
function composite(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number, scaleShift: tf.Tensor2D | null, silu: boolean): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
  const xhat = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, GROUP_NORM_EPS))), [n, h, w, c]);
  let y = tf.add(tf.mul(xhat, gamma), beta);
  if (scaleShift !== null) {
    const [scale, shift] = tf.split(tf.reshape(scaleShift, [n, 1, 1, 2 * c]), 2, 3);
    y = tf.add(tf.mul(y, tf.add(scale, 1)), shift);
  }
  return silu ? tf.mul(y, tf.sigmoid(y)) : y;
}

interface Case {
  /** NHWC; channels not a multiple of 4 also take the passes' scalar tails. */
  shape: [number, number, number, number];
  groups: number;
  scaleShift: boolean;
  silu: boolean;
  /**
   * Added to every x: GroupNorm does not see it, so the CPU reference gets the same float32 x less the offset (exact),
   * and stays precise, while the kernels must keep the digits a large mean leaves.
   */
  offset: number;
  /**
   * Every third channel gets gamma 0, so its z is exactly its beta: 0, +-5e-4 (where the SiLU gradient's y / z gives way
   * to 1/2 + z/4), -30, 40 and -100 (past exp's clamp) in turn.
   */
  flatChannels?: boolean;
}

const FLAT_BETAS = [0, 5e-4, -5e-4, -30, 40, -100];

/** [y, dx, dgamma, dbeta, d(scaleShift)?] of the engine's kernels (WASM) or the composite on x - offset (CPU). */
function run(c: Case, engine: boolean): Float32Array[] {
  const [n, , , channels] = c.shape;
  const size = c.shape.reduce((a, b) => a * b, 1);
  // Channel-dependent means and spreads, so group statistics differ from channel ones.
  const shifted = values(size, 21).map((v, i) => (1 + (i % channels) / 4) * 2 * v + (i % channels) / 3 + c.offset);
  const xv = engine ? shifted : shifted.map((v) => v - c.offset);
  const x = tf.tensor4d(xv, c.shape);
  const flat = (ch: number): boolean => c.flatChannels === true && ch % 3 === 0;
  const gamma = tf.tensor1d(values(channels, 22).map((v, ch) => (flat(ch) ? 0 : 1 + v)));
  const beta = tf.tensor1d(values(channels, 23).map((v, ch) => (flat(ch) ? FLAT_BETAS[(ch / 3) % FLAT_BETAS.length] : v)));
  const scaleShift = c.scaleShift ? tf.tensor2d(values(n * 2 * channels, 24), [n, 2 * channels]) : null;
  const weights = tf.tensor4d(values(size, 25), c.shape);
  const apply = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor, ss: tf.Tensor | null): tf.Tensor => {
    if (!engine) return composite(a as tf.Tensor4D, g, b, c.groups, ss as tf.Tensor2D | null, c.silu);
    return c.silu ? groupNormSilu(a as tf.Tensor4D, g, b, c.groups, ss as tf.Tensor2D | null) : groupNorm(a as tf.Tensor4D, g, b, c.groups);
  };
  const inputs = scaleShift === null ? [x, gamma, beta] : [x, gamma, beta, scaleShift];
  const y = apply(x, gamma, beta, scaleShift);
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(apply(args[0], args[1], args[2], args[3] ?? null), weights)))(inputs);
  const out = [y, ...grads].map((t) => t.dataSync() as Float32Array);
  tf.dispose([...inputs, weights, y, ...grads]);
  return out;
}

describe('WebAssembly SIMD GroupNorm kernels on tfjs WASM memory', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('link to the WASM backend, so layers.ts takes the fused kernels', async () => {
    await tf.setBackend('wasm');
    expect(fusedGroupNormAvailable()).toBe(true);
    expect(fusedGroupNormSiluAvailable()).toBe(true);
  });

  const cases: Case[] = [];
  for (const groups of [3, 4]) {
    for (const offset of [0, 1e4]) {
      for (const [scaleShift, silu] of [[false, false], [false, true], [true, true]]) cases.push({ shape: [3, 7, 9, 12], groups, scaleShift, silu, offset });
    }
  }
  cases.push({ shape: [3, 7, 9, 6], groups: 3, scaleShift: true, silu: true, offset: 1e4 });
  cases.push({ shape: [2, 5, 7, 18], groups: 3, scaleShift: false, silu: true, offset: 0, flatChannels: true });
  for (const c of cases) {
    it(`match the CPU backend's op chain to 1e-5, output and every gradient, for ${JSON.stringify(c)}`, async () => {
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const wasm = run(c, true);
      expect(tf.memory().numTensors).toBe(before);
      await tf.setBackend('cpu');
      const cpu = run(c, false);
      await tf.setBackend('wasm');
      expect(wasm.length).toBe(c.scaleShift ? 5 : 4);
      const names = ['y', 'dx', 'dgamma', 'dbeta', 'dscaleShift'];
      cpu.forEach((reference, i) => expect(relativeError(wasm[i], reference), names[i]).toBeLessThan(1e-5));
    });
  }
});

describe('npm run build:wasm --check', () => {
  it('passes on the committed modules and fails, naming the file, when one is stale', () => {
    const root = mkdtempSync(join(tmpdir(), 'fqlab-wasm-check-'));
    try {
      for (const path of [
        'src/core/postprocess/wasm/medianBlock.as.ts',
        'src/core/postprocess/wasm/medianBlockWasm.ts',
        'src/engine/wasm/groupNorm.as.ts',
        'src/engine/wasm/groupNormWasm.ts',
        'src/engine/wasm/winograd.as.ts',
        'src/engine/wasm/winogradWasm.ts',
        'src/engine/wasm/adam.as.ts',
        'src/engine/wasm/adamWasm.ts',
        'src/engine/wasm/copy.as.ts',
        'src/engine/wasm/copyWasm.ts',
      ]) {
        cpSync(path, join(root, path));
      }
      const check = (): { status: number; stderr: string } => {
        try {
          execFileSync('node', ['scripts/wasm/build.mjs', '--check', '--root', root], { stdio: 'pipe' });
          return { status: 0, stderr: '' };
        } catch (error) {
          const failed = error as { status: number; stderr: Buffer };
          return { status: failed.status, stderr: failed.stderr.toString() };
        }
      };
      expect(check()).toEqual({ status: 0, stderr: '' });
      // A source edited without rebuilding: its module no longer matches.
      const source = join(root, 'src/engine/wasm/groupNorm.as.ts');
      writeFileSync(source, readFileSync(source, 'utf8').replace('f32x4.splat(88.0)', 'f32x4.splat(80.0)'));
      const stale = check();
      expect(stale.status).toBe(1);
      expect(stale.stderr).toContain('src/engine/wasm/groupNormWasm.ts is out of date');
      expect(stale.stderr).not.toContain('medianBlockWasm.ts');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('WebAssembly SIMD Adam update', () => {
  beforeAll(async () => {
    await useWasm();
  });

  /** Weights, moments and the clones taken before the steps, after three Adam updates of odd-sized tensors. */
  function threeSteps(): { weights: Float32Array[]; moments: Float32Array[]; clones: Float32Array[] } {
    const shapes = [[7], [13, 5], [3, 3, 4, 8]];
    // tidy frees the tensors the variables are made from.
    const variables = tf.tidy(() => shapes.map((shape, i) => tf.variable(tf.tensor(values(shape.reduce((a, b) => a * b, 1), 41 + i), shape))));
    const clones = variables.map((v) => tf.clone(v));
    const adam = new Adam(variables, { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    for (let step = 0; step < 3; step++) {
      const gradients = shapes.map((shape, i) => tf.tensor(values(shape.reduce((a, b) => a * b, 1), 50 + 10 * step + i).map((g) => g * 10 ** (i - 1)), shape));
      adam.apply(gradients);
      tf.dispose(gradients);
    }
    const read = (ts: tf.Tensor[]): Float32Array[] => ts.map((t) => t.dataSync() as Float32Array);
    const out = { weights: read(variables), moments: read([...adam.firstMoments, ...adam.secondMoments]), clones: read(clones) };
    adam.dispose();
    tf.dispose([...variables, ...clones]);
    return out;
  }

  it("gives the CPU backend's op chain bit for bit, writes new tensors (a clone keeps its values) and leaves no tensor behind", async () => {
    await tf.setBackend('wasm');
    expect(fusedAdamAvailable()).toBe(true);
    const before = tf.memory().numTensors;
    const wasm = threeSteps();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    expect(fusedAdamAvailable()).toBe(false);
    const cpu = threeSteps();
    await tf.setBackend('wasm');
    expect(wasm).toEqual(cpu);
    expect(wasm.weights[1]).not.toEqual(wasm.clones[1]);
    expect(wasm.clones[1]).toEqual(values(65, 42));
  });
});
