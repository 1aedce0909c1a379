// The engine's replacement WASM kernels (conv gradients, copies, BatchMatMul, fused GroupNorm, Winograd convolutions) against the tfjs CPU backend.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupNorm } from '../../src/engine/layers.ts';
import { COPY_SHARED_WASM_BASE64, COPY_WASM_BASE64 } from '../../src/engine/wasm/copyWasm.ts';
import { linkedExports } from '../../src/engine/wasmLinkedModule.ts';
import { pointwiseServes, setWinogradSettings, winogradSettings } from '../../src/engine/wasmWinogradConv.ts';
import { useWasm } from './backendSetup.ts';
import { maxAbsDiff, relativeError } from '../support/closeness.ts';
import { seededValues as values } from './synthetic.ts';

async function onBackend<T>(name: string, f: () => T): Promise<T> {
  await tf.setBackend(name);
  return f();
}


describe('WASM conv2d gradients', () => {
  beforeAll(async () => {
    await useWasm();
  });

  // Odd sizes throughout (batch 3, 7 x 9 pixels) so that no dimension hides another's mistake; 5 -> 3 channels take the
  // filter gradient's single-conv2d path, 37 -> 29 (Cin*Cout >= 32*32) its per-tap GEMMs, 8 -> 12 (multiples of 4) the
  // Winograd transforms for 3x3 stride 1 and the pointwise product for unpadded 1x1 stride 1.
  const pads: Array<'same' | 'valid' | number | tf.backend_util.ExplicitPadding> = ['same', 'valid', 1, [[0, 0], [2, 0], [1, 3], [0, 0]]];
  for (const [cin, cout] of [[5, 3], [37, 29], [8, 12]]) {
    const xShape: [number, number, number, number] = [3, 7, 9, cin];
    for (const k of [1, 3, 4, 5]) {
      for (const pad of pads) {
        for (const stride of [1, 2]) {
          it(`match the CPU backend's Conv2DBackpropFilter and Conv2DBackpropInput for ${cin}->${cout} k=${k} pad=${JSON.stringify(pad)} stride=${stride}`, async () => {
            const filterShape: [number, number, number, number] = [k, k, xShape[3], cout];
            const dyShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad).outShape;
            const xv = values(xShape.reduce((a, b) => a * b, 1), 1);
            const wv = values(filterShape.reduce((a, b) => a * b, 1), 2);
            const dyv = values(dyShape.reduce((a, b) => a * b, 1), 3);
            const attrs = { strides: stride, pad, dataFormat: 'NHWC' };
            // Outside a tidy, so that expectWasmMatchesCpu also sees any tensor the kernels leave behind.
            const run = (): Float32Array[] => {
              const x = tf.tensor4d(xv, xShape);
              const filter = tf.tensor4d(wv, filterShape);
              const dy = tf.tensor4d(dyv, dyShape);
              const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape }) as tf.Tensor;
              const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...attrs, inputShape: xShape }) as tf.Tensor;
              expect(dw.shape).toEqual(filterShape);
              expect(dx.shape).toEqual(xShape);
              const out = [dw.dataSync() as Float32Array, dx.dataSync() as Float32Array];
              tf.dispose([x, filter, dy, dw, dx]);
              return out;
            };
            await expectWasmMatchesCpu(run, 1e-5);
          });
        }
      }
    }
  }

  // 33 -> 32 channels: the filter gradient's per-tap GEMMs.
  it('give the same gradients as the CPU backend through tf.grads', async () => {
    const xv = values(2 * 9 * 10 * 33, 4);
    const wv = values(3 * 3 * 33 * 32, 5);
    const run = (): Float32Array[] => {
      const x = tf.tensor4d(xv, [2, 9, 10, 33]);
      const w = tf.tensor4d(wv, [3, 3, 33, 32]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same');
        return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
      })([x, w]);
      const out = g.map((t) => t.dataSync() as Float32Array);
      tf.dispose([x, w, ...g]);
      return out;
    };
    await expectWasmMatchesCpu(run, 1e-5);
  });
});

describe('WASM copy kernels', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('slice, split, unstack and concat agree with the CPU backend on inner and outer axes, ranks 2 to 5', async () => {
    const run = (): Float32Array[] => {
      const out: Float32Array[] = [];
      const keep = (t: tf.Tensor | tf.Tensor[]): void => {
        for (const s of Array.isArray(t) ? t : [t]) out.push(s.dataSync() as Float32Array);
      };
      tf.tidy(() => {
        const x4 = tf.tensor4d(values(2 * 5 * 6 * 7, 5), [2, 5, 6, 7]);
        const x5 = tf.reshape(x4, [2, 5, 6, 7, 1]);
        const x2 = tf.reshape(x4, [10, 42]);
        keep(tf.slice(x4, [0, 1, 2, 3], [2, 3, 3, 4]));
        keep(tf.slice(x4, [1, 0, 0, 0], [1, 5, 6, 7]));
        keep(tf.slice(x4, [0, 0, 0, 2], [-1, -1, -1, 3]));
        keep(tf.slice(x5, [0, 1, 1, 1, 0], [2, 2, 2, 2, 1]));
        keep(tf.slice(x2, [3, 5], [4, 30]));
        keep(tf.split(x4, [2, 5], 3));
        keep(tf.split(x4, 2, 0));
        keep(tf.unstack(x4, 3));
        keep(tf.unstack(x5, 2));
        keep(tf.concat([x4, tf.mul(x4, 2), tf.slice(x4, [0, 0, 0, 0], [2, 5, 6, 1])], 3));
        keep(tf.concat([x4, x4], 1));
        keep(tf.concat([tf.tensor1d([1, 2]), tf.tensor1d([3])], 0));
        keep(tf.cast(tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]), 'float32'));
        // Whole inner dims under a partial one; runs of 5 and 9 floats (SIMD moves and word tails).
        keep(tf.slice(x4, [0, 1, 0, 0], [2, 3, 6, 7]));
        keep(tf.concat([tf.slice(x4, [0, 0, 0, 0], [2, 5, 6, 5]), tf.slice(x4, [0, 0, 0, 0], [2, 5, 6, 4])], 3));
        // One-byte booleans: runs of 7 and 3 bytes, byte tails.
        const flags = tf.greater(x4, 0);
        keep(tf.cast(tf.concat([flags, tf.slice(flags, [0, 0, 0, 4], [2, 5, 6, 3])], 3), 'float32'));
        keep(tf.cast(tf.concat([tf.cast(x4, 'int32'), tf.cast(tf.mul(x4, 3), 'int32')], 2), 'float32'));
      });
      return out;
    };
    const onWasm = await onBackend('wasm', run);
    const onCpu = await onBackend('cpu', run);
    await tf.setBackend('wasm');
    expect(onWasm.length).toBe(onCpu.length);
    onWasm.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(onCpu[i])));
    // The runs above went through the SIMD module, not the JS fallback.
    expect(linkedExports(tf.backend() as BackendWasm, { unsharedBase64: COPY_WASM_BASE64, sharedBase64: COPY_SHARED_WASM_BASE64 })).not.toBeNull();
  });
});

/** Runs `run` on WASM (no tensor left behind) then CPU, leaving WASM current; every output agrees to `tolerance`. */
async function expectWasmMatchesCpu(run: () => Float32Array[], tolerance: number): Promise<void> {
  const before = tf.memory().numTensors;
  const onWasm = await onBackend('wasm', run);
  expect(tf.memory().numTensors).toBe(before);
  const onCpu = await onBackend('cpu', run);
  await tf.setBackend('wasm');
  expect(onWasm.length).toBe(onCpu.length);
  onWasm.forEach((w, i) => expect(relativeError(w, onCpu[i])).toBeLessThan(tolerance));
}

describe('WASM BatchMatMul', () => {
  beforeAll(async () => {
    await useWasm();
  });

  const cases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
    { a: [3, 5, 7], b: [3, 7, 4], ta: false, tb: false },
    { a: [3, 7, 5], b: [3, 7, 4], ta: true, tb: false },
    { a: [3, 5, 7], b: [3, 4, 7], ta: false, tb: true },
    { a: [2, 3, 7, 5], b: [2, 3, 4, 7], ta: true, tb: true },
    { a: [9, 13], b: [11, 13], ta: false, tb: true },
  ];
  // tfjs-core's BatchMatMul gradient rejects broadcast batches on every backend: values only.
  it('matches the CPU backend on broadcast batches', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const a = tf.tensor(values(3 * 5 * 7, 9), [3, 5, 7]);
        const b = tf.tensor(values(7 * 4, 10), [1, 7, 4]);
        return [tf.matMul(a, b), tf.matMul(tf.slice(a, [0, 0, 0], [1, 5, 7]), tf.tile(b, [3, 1, 1])), tf.matMul(a, tf.reshape(b, [7, 4]))].map((t) => t.dataSync() as Float32Array);
      });
    await expectWasmMatchesCpu(run, 1e-4);
  });
  for (const c of cases) {
    it(`matches the CPU backend, values and gradients, for ${JSON.stringify(c)}`, async () => {
      const av = values(c.a.reduce((x, y) => x * y, 1), 7);
      const bv = values(c.b.reduce((x, y) => x * y, 1), 8);
      const run = (): Float32Array[] => {
        const a = tf.tensor(av, c.a);
        const b = tf.tensor(bv, c.b);
        const product = tf.matMul(a, b, c.ta, c.tb);
        const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => {
          const p = tf.matMul(x, y, c.ta, c.tb);
          return tf.sum(tf.mul(p, tf.sin(tf.reshape(tf.range(0, p.size), p.shape))));
        })([a, b]);
        const out = [product, ...g].map((t) => t.dataSync() as Float32Array);
        tf.dispose([a, b, product, ...g]);
        return out;
      };
      await expectWasmMatchesCpu(run, 1e-4);
    });
  }
});

describe('WASM Identity and Cast', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('share data without copying, keep values when the source is disposed, and still convert dtypes', async () => {
    await tf.setBackend('wasm');
    const backend = tf.engine().backend;
    const before = backend.numDataIds();
    const x = tf.tensor1d([1.5, -2, 3]);
    const copy = tf.clone(x);
    const same = tf.cast(x, 'float32');
    expect(backend.numDataIds() - before).toBe(1);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 3]);
    const ints = tf.cast(copy, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
    tf.dispose([copy, same, ints]);
    expect(backend.numDataIds()).toBe(before);
  });
});

describe('WASM fused GroupNorm', () => {
  beforeAll(async () => {
    await useWasm();
  });

  const cases: Array<{ shape: [number, number, number, number]; groups: number }> = [
    { shape: [3, 5, 7, 6], groups: 3 },
    { shape: [1, 9, 4, 4], groups: 4 },
    { shape: [2, 3, 3, 8], groups: 1 },
    { shape: [2, 11, 13, 12], groups: 2 },
  ];
  for (const c of cases) {
    it(`matches the CPU backend's op chain, values and gradients of x, gamma and beta, for ${JSON.stringify(c)}`, async () => {
      const size = c.shape.reduce((a, b) => a * b, 1);
      const channels = c.shape[3];
      // An offset and scale per channel, so the statistics are not those of a centred input.
      const xv = values(size, 11).map((v, i) => 3 * v + (i % channels) - 2);
      const gv = values(channels, 12).map((v) => 1 + v);
      const bv = values(channels, 13);
      const run = (): Float32Array[] => {
        const x = tf.tensor4d(xv, c.shape);
        const gamma = tf.tensor1d(gv);
        const beta = tf.tensor1d(bv);
        const y = groupNorm(x, gamma, beta, c.groups);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => {
          const out = groupNorm(a as tf.Tensor4D, b, d, c.groups);
          return tf.sum(tf.mul(out, tf.sin(tf.reshape(tf.range(0, out.size), out.shape))));
        })([x, gamma, beta]);
        const out = [y, ...g].map((t) => t.dataSync() as Float32Array);
        tf.dispose([x, gamma, beta, y, ...g]);
        return out;
      };
      await expectWasmMatchesCpu(run, 1e-4);
    });
  }
});

describe('WASM Sum over outer axes', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('matches the CPU backend for outer, middle and innermost axis runs, with and without keepDims', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(3 * 5 * 7 * 6, 14), [3, 5, 7, 6]);
        const sums = [
          tf.sum(x, [0, 1, 2]),
          tf.sum(x, [1, 2], true),
          tf.sum(x, 0),
          tf.sum(x, [2, 3]),
          tf.sum(x, [0, 2]),
          tf.sum(x, [-4, -3], true),
          tf.sum(tf.reshape(x, [105, 6]), 0),
        ];
        return sums.map((t) => t.dataSync() as Float32Array);
      });
    await expectWasmMatchesCpu(run, 1e-5);
    const shapes = await onBackend('wasm', () => tf.tidy(() => [tf.sum(tf.zeros([2, 3, 4]), [0, 1], true).shape, tf.sum(tf.zeros([2, 3, 4]), 1).shape]));
    expect(shapes).toEqual([[1, 1, 4], [2, 4]]);
  });

  it('adds each column in float64, in row order, to the bit: SIMD columns (multiples of 4) and the JS loop alike', async () => {
    await tf.setBackend('wasm');
    // A large common offset: float32 accumulation would lose digits that float64 keeps.
    for (const shape of [[3, 5, 7, 8], [3, 5, 7, 6], [2, 9, 12]]) {
      const [outer, ...rest] = shape;
      const inner = rest[rest.length - 1];
      const reduced = rest.slice(0, -1).reduce((a, b) => a * b, 1);
      const xv = values(outer * reduced * inner, 15).map((v) => Math.fround(1e4 + v));
      const expected = new Float32Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let sum = 0;
          for (let r = 0; r < reduced; r++) sum += xv[(o * reduced + r) * inner + i];
          expected[o * inner + i] = sum;
        }
      }
      const got = tf.tidy(() => tf.sum(tf.tensor(xv, shape), rest.map((_, d) => d + 1).slice(0, -1)).dataSync() as Float32Array);
      expect(got, shape.join('x')).toEqual(expected);
    }
  });
});

describe('WASM Winograd F(4x4, 3x3) convolutions', () => {
  beforeAll(async () => {
    await useWasm();
  });

  // Input channels a multiple of 4 (the transforms' SIMD width), Cin * Cout (rounded up to 4) >= 32; output channels
  // that are not (the U-Net's final 1, and 6) run padded to 4 in the forward, their gradients stay with XNNPACK. Odd
  // heights and widths leave partial 4x4 tiles at the bottom and right, and the pads move the first tile off the image.
  const pads: Array<'same' | 'valid' | number | tf.backend_util.ExplicitPadding> = ['same', 'valid', 2, [[0, 0], [2, 0], [1, 3], [0, 0]]];
  const shapes: Array<{ x: [number, number, number, number]; cout: number }> = [
    { x: [3, 7, 9, 8], cout: 12 },
    { x: [2, 10, 5, 4], cout: 16 },
    { x: [1, 13, 11, 12], cout: 8 },
    { x: [3, 7, 9, 8], cout: 1 },
    { x: [2, 10, 5, 12], cout: 6 },
  ];
  // Tiles go through in blocks: one block here by default, and blocks of 3 tiles (the last one shorter) in the second run.
  const blockings: Array<{ name: string; tilesPerBlock: number | null }> = [{ name: 'one block', tilesPerBlock: null }, { name: 'blocks of 3 tiles', tilesPerBlock: 3 }];
  for (const { x: xShape, cout } of shapes) {
    for (const [p, pad] of pads.entries()) {
      const { name: blocking, tilesPerBlock } = blockings[p % 2];
      it(`match the CPU backend, output with bias and the x, filter and bias gradients, for ${xShape} -> ${cout} pad=${JSON.stringify(pad)}, ${blocking}`, async () => {
        const defaultBlockBytes = winogradSettings().blockBytes;
        // One block's bytes are 36 point matrices of 4-byte floats for each tile and channel of both sides.
        if (tilesPerBlock !== null) setWinogradSettings({ blockBytes: tilesPerBlock * 36 * 4 * (xShape[3] + cout) });
        const filterShape: [number, number, number, number] = [3, 3, xShape[3], cout];
        const yShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, 1, 1, pad).outShape;
        const xv = values(xShape.reduce((a, b) => a * b, 1), 31);
        const wv = values(filterShape.reduce((a, b) => a * b, 1), 32);
        const bv = values(cout, 33);
        const weightsV = values(yShape.reduce((a, b) => a * b, 1), 34);
        const run = (): Float32Array[] =>
          tf.tidy(() => {
            const x = tf.tensor4d(xv, xShape);
            const filter = tf.tensor4d(wv, filterShape);
            const bias = tf.tensor1d(bv);
            const weights = tf.tensor4d(weightsV, yShape);
            const conv = (a: tf.Tensor, f: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
              tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad });
            const y = conv(x, filter, bias);
            const grads = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, f, b), weights)))([x, filter, bias]);
            return [y, ...grads].map((t) => t.dataSync() as Float32Array);
          });
        try {
          await expectWasmMatchesCpu(run, 1e-4);
          // The same run on XNNPACK's direct convolution rounds differently: proof that the transforms served the first.
          const winograd = await onBackend('wasm', run);
          setWinogradSettings({ enabled: false });
          const direct = await onBackend('wasm', run);
          const served = cout % 4 === 0 ? [0, 1, 2] : [0];
          served.forEach((i) => expect(maxAbsDiff(winograd[i], direct[i]), ['y', 'dx', 'dfilter'][i]).toBeGreaterThan(0));
        } finally {
          setWinogradSettings({ enabled: true, blockBytes: defaultBlockBytes });
        }
      });
    }
  }

  for (const taps of [3, 1]) {
    it(`give the same ${taps}x${taps} filter gradient bits with the operands packed into panels as read in place`, async () => {
      const xShape: [number, number, number, number] = [2, 11, 9, 8];
      const dyShape: [number, number, number, number] = [2, 11, 9, 12];
      const filterShape = [taps, taps, 8, 12];
      const xv = values(xShape.reduce((a, b) => a * b, 1), 37);
      const dyv = values(dyShape.reduce((a, b) => a * b, 1), 38);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
          const inputs = { x: tf.tensor4d(xv, xShape), dy: tf.tensor4d(dyv, dyShape) };
          return [(tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array];
        });
      const defaults = { ...winogradSettings() };
      try {
        // Blocks of 5 tiles (3x3) or chunks of 5 rows (1x1): the panels are refilled for each, and the last is shorter.
        setWinogradSettings({ blockBytes: 5 * 36 * 4 * (8 + 12), packFilterGradientFrom: Infinity, packPointwiseFilterGradientFrom: Infinity });
        const inPlace = await onBackend('wasm', run);
        setWinogradSettings({ packFilterGradientFrom: 0, packPointwiseFilterGradientFrom: 0 });
        const packed = await onBackend('wasm', run);
        expect(packed).toEqual(inPlace);
        setWinogradSettings({ enabled: false });
        const other = await onBackend('wasm', run);
        expect(maxAbsDiff(packed[0], other[0])).toBeGreaterThan(0);
        expect(relativeError(packed[0], other[0])).toBeLessThan(1e-5);
      } finally {
        setWinogradSettings(defaults);
      }
    });
  }

  /** run's first `count` outputs on WASM are the same bits with the module's convolutions off (XNNPACK's). */
  const expectSameBitsWithModuleOff = async (run: () => Float32Array[], count = Infinity): Promise<void> => {
    const served = await onBackend('wasm', run);
    setWinogradSettings({ enabled: false });
    try {
      expect((await onBackend('wasm', run)).slice(0, count)).toEqual(served.slice(0, count));
    } finally {
      setWinogradSettings({ enabled: true });
    }
  };

  const pointwiseAttrs = (strides: number, pad: 'same' | 'valid' | number): tf.Conv2DAttrs => ({ strides, pad, dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined });

  it('serve 1x1 stride-1 convolutions by the module\'s product, with the bits of XNNPACK\'s GEMM: values and gradients, with and without bias', async () => {
    // Pixel counts and output channels multiples of 4; any input channel count.
    const cases: Array<{ x: [number, number, number, number]; cout: number }> = [
      { x: [2, 6, 6, 8], cout: 12 },
      { x: [1, 4, 5, 12], cout: 8 },
      { x: [2, 4, 4, 3], cout: 16 },
      { x: [2, 6, 6, 64], cout: 36 },
    ];
    for (const { x: xShape, cout } of cases) {
      const filterShape: [number, number, number, number] = [1, 1, xShape[3], cout];
      for (const pad of ['same', 'valid', 0] as const) expect(pointwiseServes(tf.backend(), xShape, filterShape, pointwiseAttrs(1, pad)), `${xShape} -> ${cout} pad ${pad}`).toBe(true);
      const xv = values(xShape.reduce((a, b) => a * b, 1), 41);
      const wv = values(xShape[3] * cout, 42);
      const bv = values(cout, 43);
      const weightsV = values((xShape.reduce((a, b) => a * b, 1) / xShape[3]) * cout, 44);
      const run = (): Float32Array[] =>
        tf.tidy(() => {
          const x = tf.tensor4d(xv, xShape);
          const filter = tf.tensor4d(wv, filterShape);
          const bias = tf.tensor1d(bv);
          const weights = tf.tensor4d(weightsV, [xShape[0], xShape[1], xShape[2], cout]);
          const fused = (a: tf.Tensor, f: tf.Tensor, b: tf.Tensor): tf.Tensor4D => tf.fused.conv2d({ x: a as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same' });
          const grads = tf.grads((a: tf.Tensor, f: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(fused(a, f, b), weights)))([x, filter, bias]);
          return [fused(x, filter, bias), tf.conv2d(x, filter, 1, 'valid'), ...grads].map((t) => t.dataSync() as Float32Array);
        });
      await expectWasmMatchesCpu(run, 1e-4);
      // Both outputs and dx; dfilter is the module's own 1x1 filter gradient (tested above), dbias a plain sum.
      await expectSameBitsWithModuleOff(run, 3);
    }
  });

  it('leave convolutions it does not serve to XNNPACK: strides, 5x5 filters, input channels not a multiple of 4, and 1x1 ones with strides, padding or counts not a multiple of 4', async () => {
    const pointwise: Array<{ x: [number, number, number, number]; cout: number; attrs: tf.Conv2DAttrs }> = [
      { x: [2, 9, 9, 8], cout: 8, attrs: pointwiseAttrs(1, 'same') },
      { x: [2, 8, 8, 8], cout: 6, attrs: pointwiseAttrs(1, 'same') },
      { x: [2, 8, 8, 8], cout: 8, attrs: pointwiseAttrs(2, 'same') },
      { x: [2, 8, 8, 8], cout: 8, attrs: pointwiseAttrs(1, 1) },
      { x: [2, 8, 8, 4], cout: 4, attrs: pointwiseAttrs(1, 'same') },
    ];
    for (const c of pointwise) expect(pointwiseServes(tf.backend(), c.x, [1, 1, c.x[3], c.cout], c.attrs), JSON.stringify(c)).toBe(false);
    const cases: Array<{ x: [number, number, number, number]; filter: [number, number, number, number]; stride: number }> = [
      { x: [2, 9, 9, 8], filter: [3, 3, 8, 8], stride: 2 },
      { x: [2, 9, 9, 8], filter: [1, 1, 8, 8], stride: 1 },
      { x: [2, 9, 9, 8], filter: [5, 5, 8, 8], stride: 1 },
      { x: [2, 9, 9, 6], filter: [3, 3, 6, 8], stride: 1 },
    ];
    for (const c of cases) {
      const run = (): Float32Array[] =>
        tf.tidy(() => [tf.conv2d(tf.tensor4d(values(c.x.reduce((a, b) => a * b, 1), 35), c.x), tf.tensor4d(values(c.filter.reduce((a, b) => a * b, 1), 36), c.filter), c.stride, 'same').dataSync() as Float32Array]);
      await expectSameBitsWithModuleOff(run);
    }
  });
});
