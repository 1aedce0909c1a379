// The engine's custom WebGPU kernels in Node on SwiftShader: the same values and gradients as tfjs's CPU backend, at odd sizes, and the flags choosing them.
import { describe, expect, it } from 'vitest';
import { splitKPlan } from '../../src/engine/webgpu/conv2dBackpropFilter.ts';
import { hasSwiftShader, repoRoot, RESULT_PREFIX, runNode, SWIFTSHADER_ENV, SWIFTSHADER_ICD } from './nodeChild.ts';

interface ConvCase {
  name: string;
  input: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
}

/** NHWC input and HWIO filter shapes the U-Net and the autoencoders use (3x3 and 1x1, stride 1 and 2), at odd sizes. */
const CASES: ConvCase[] = [
  { name: '3x3 same, batch 3, 7x9, 5 to 3 channels', input: [3, 7, 9, 5], filter: [3, 3, 5, 3], stride: 1, pad: 'same' },
  { name: '3x3 stride 2 same', input: [3, 7, 9, 5], filter: [3, 3, 5, 3], stride: 2, pad: 'same' },
  { name: '1x1 valid, 4 to 6 channels', input: [2, 6, 5, 4], filter: [1, 1, 4, 6], stride: 1, pad: 'valid' },
  { name: '5x5 stride 2 valid', input: [2, 11, 9, 3], filter: [5, 5, 3, 2], stride: 2, pad: 'valid' },
  { name: 'a reduction of 2,304 rows in 5 chunks', input: [4, 24, 24, 2], filter: [3, 3, 2, 3], stride: 1, pad: 'same' },
];

/** NHWC shapes and groups for GroupNorm: odd pixels, several channels a group, and one group with many elements. */
const GROUP_NORM_CASES = [
  { name: '2 x 5x7 x 8 channels, 4 groups', shape: [2, 5, 7, 8], groups: 4 },
  { name: '3 x 4x4 x 6 channels, 3 groups', shape: [3, 4, 4, 6], groups: 3 },
  { name: '1 x 24x24 x 16 channels, 2 groups', shape: [1, 24, 24, 16], groups: 2 },
];

interface GroupNormValues {
  y: number[];
  dx: number[];
  dgamma: number[];
  dbeta: number[];
}

interface CaseResult {
  name: string;
  custom: number[];
  stock: number[];
  cpu: number[];
}

interface Report {
  backend: string;
  cases: CaseResult[];
  /** Pipelines compiled with the custom kernel's shader key after the stock runs, and after the custom ones. */
  customPipelinesAfterStock: number;
  customPipelinesAfterCustom: number;
  /** Pipelines of the fused GroupNorm's statistics pass after the stock GroupNorm runs, and after the fused ones. */
  fusedPipelinesAfterStock: number;
  fusedPipelinesAfterCustom: number;
  groupNorm: { name: string; fused: GroupNormValues; stock: GroupNormValues; cpu: GroupNormValues }[];
  leakedTensors: number;
}

/** The child: dW of each case through tf.grads of a conv2d, on WebGPU with the flag off, then on, then on the CPU backend. */
const script = `
const root = new URL(${JSON.stringify(repoRoot.href)});
const engine = await import(new URL('src/engine/index.ts', root).href);
const flags = await import(new URL('src/engine/webgpu/kernelFlags.ts', root).href);
const tf = await import('@tensorflow/tfjs');
const cases = ${JSON.stringify(CASES)};
const rng = new engine.Rng(11);
const values = (n) => Float32Array.from({ length: n }, () => 2 * rng.next() - 1);
const size = (shape) => shape.reduce((a, b) => a * b, 1);
const inputs = cases.map((c) => {
  const outH = c.pad === 'same' ? Math.ceil(c.input[1] / c.stride) : Math.ceil((c.input[1] - c.filter[0] + 1) / c.stride);
  const outW = c.pad === 'same' ? Math.ceil(c.input[2] / c.stride) : Math.ceil((c.input[2] - c.filter[1] + 1) / c.stride);
  return { x: values(size(c.input)), w: values(size(c.filter)), dy: values(c.input[0] * outH * outW * c.filter[3]) , outShape: [c.input[0], outH, outW, c.filter[3]] };
});
async function filterGradients() {
  const out = [];
  for (const [i, c] of cases.entries()) {
    const x = tf.tensor4d(inputs[i].x, c.input);
    const w = tf.tensor4d(inputs[i].w, c.filter);
    const dy = tf.tensor4d(inputs[i].dy, inputs[i].outShape);
    const dw = tf.grad((filter) => tf.sum(tf.mul(tf.conv2d(x, filter, c.stride, c.pad), dy)))(w);
    out.push(Array.from(await dw.data()));
    tf.dispose([x, w, dy, dw]);
  }
  return out;
}
const layers = await import(new URL('src/engine/layers.ts', root).href);
const groupNormCases = ${JSON.stringify(GROUP_NORM_CASES)};
const groupNormInputs = groupNormCases.map((c) => ({ x: values(size(c.shape)).map((v) => 3 + 2 * v), gamma: values(c.shape[3]), beta: values(c.shape[3]), dy: values(size(c.shape)) }));
/** y, dx, dgamma and dbeta of layers.groupNorm (fused where the backend and flags allow, else tfjs ops). */
async function groupNormResults() {
  const out = [];
  for (const [i, c] of groupNormCases.entries()) {
    const input = groupNormInputs[i];
    const x = tf.tensor4d(input.x, c.shape);
    const gamma = tf.tensor1d(input.gamma);
    const beta = tf.tensor1d(input.beta);
    const dy = tf.tensor4d(input.dy, c.shape);
    const [y, dx, dgamma, dbeta] = tf.tidy(() => [
      layers.groupNorm(x, gamma, beta, c.groups),
      ...tf.grads((a, b, d) => tf.sum(tf.mul(layers.groupNorm(a, b, d, c.groups), dy)))([x, gamma, beta]),
    ]);
    out.push({ y: Array.from(await y.data()), dx: Array.from(await dx.data()), dgamma: Array.from(await dgamma.data()), dbeta: Array.from(await dbeta.data()) });
    tf.dispose([x, gamma, beta, dy, y, dx, dgamma, dbeta]);
  }
  return out;
}
const pipelinesNamed = (name) => Object.keys(tf.backend().pipelineCache ?? {}).filter((key) => key.includes(name)).length;
const customPipelines = () => pipelinesNamed('conv2dBackpropFilterSplitK');
const choice = await engine.initBackend('webgpu', { allowSoftwareAdapter: true });
const before = tf.memory().numTensors;
flags.selectWebGpuKernelSet('stock');
const stock = await filterGradients();
const customPipelinesAfterStock = customPipelines();
flags.selectWebGpuKernelSet('custom');
const custom = await filterGradients();
const customPipelinesAfterCustom = customPipelines();
flags.selectWebGpuKernelSet('stock');
const groupNormStock = await groupNormResults();
const fusedPipelinesAfterStock = pipelinesNamed('fqlabGroupStats');
flags.selectWebGpuKernelSet('custom');
const groupNormFused = await groupNormResults();
const fusedPipelinesAfterCustom = pipelinesNamed('fqlabGroupStats');
const leakedTensors = tf.memory().numTensors - before;
await tf.setBackend('cpu');
const cpu = await filterGradients();
const groupNormCpu = await groupNormResults();
process.stdout.write(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify({
  backend: choice.name, customPipelinesAfterStock, customPipelinesAfterCustom, fusedPipelinesAfterStock, fusedPipelinesAfterCustom, leakedTensors,
  groupNorm: groupNormCases.map((c, i) => ({ name: c.name, fused: groupNormFused[i], stock: groupNormStock[i], cpu: groupNormCpu[i] })),
  cases: cases.map((c, i) => ({ name: c.name, custom: custom[i], stock: stock[i], cpu: cpu[i] })),
}) + '\\n');
`;

/** max |a - b| over max |b|: the relative error of a whole gradient. */
function relativeError(a: number[], b: number[]): number {
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const title = 'custom WebGPU kernels in Node on SwiftShader' + (hasSwiftShader ? '' : ` (skipped: needs ${SWIFTSHADER_ICD}, from Debian's chromium)`);

describe.skipIf(!hasSwiftShader)(title, () => {
  it('Conv2DBackpropFilter split-K and the fused GroupNorm give the CPU backend\'s values to 1e-4 relative; the flags pick them, stock otherwise', async () => {
    const run = await runNode<Report>(script, SWIFTSHADER_ENV, 240_000);
    const report = run.result;
    expect(report.backend).toBe('webgpu');
    for (const c of report.cases) {
      expect(c.custom.length, c.name).toBe(c.cpu.length);
      expect(relativeError(c.custom, c.cpu), c.name).toBeLessThan(1e-4);
      expect(relativeError(c.stock, c.cpu), c.name).toBeLessThan(1e-4);
    }
    for (const c of report.groupNorm) {
      for (const part of ['y', 'dx', 'dgamma', 'dbeta'] as const) {
        expect(relativeError(c.fused[part], c.cpu[part]), `${c.name}: ${part}`).toBeLessThan(1e-4);
        expect(relativeError(c.stock[part], c.cpu[part]), `${c.name}: ${part} (stock)`).toBeLessThan(1e-4);
      }
    }
    expect(report.fusedPipelinesAfterStock).toBe(0);
    expect(report.fusedPipelinesAfterCustom).toBeGreaterThan(0);
    expect(report.customPipelinesAfterStock).toBe(0);
    expect(report.customPipelinesAfterCustom).toBeGreaterThan(0);
    expect(report.leakedTensors).toBe(0);
  }, 300_000);
});

describe('the split-K plan', () => {
  it('covers every row of the reduction, at most 32 splits and 2^24 partial values', () => {
    for (const rows of [1, 15, 16, 17, 511, 512, 513, 3200, 2 * 40 * 40, 32 * 96 * 96]) {
      for (const filterValues of [9, 3 * 3 * 128 * 128, 3 * 3 * 512 * 512]) {
        const { splits, tilesPerSplit } = splitKPlan(rows, filterValues);
        expect(splits * tilesPerSplit * 16).toBeGreaterThanOrEqual(rows);
        expect((splits - 1) * tilesPerSplit * 16).toBeLessThan(rows);
        expect(splits).toBeLessThanOrEqual(32);
        expect(splits === 1 || splits * filterValues <= 1 << 24).toBe(true);
      }
    }
    expect(splitKPlan(2304, 54).splits).toBe(5);
  });
});
