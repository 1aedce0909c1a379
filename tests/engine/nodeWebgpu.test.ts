// WebGPU in Node through Dawn (the webgpu package): on SwiftShader the U-Net forward matches numpy and WASM; without an adapter it falls back to WASM.
import { describe, expect, it } from 'vitest';
import type { BackendChoice } from '../../src/engine/index.ts';
import { hasSwiftShader, RESULT_PREFIX, repoRoot, runNode, SWIFTSHADER_ENV, SWIFTSHADER_ICD } from './nodeChild.ts';
import { maxAbsDiff } from '../support/closeness.ts';

interface ForwardResult {
  output: number[];
  seconds: number;
}
interface SwiftShaderReport {
  declined: BackendChoice;
  forced: BackendChoice;
  activeAfterForce: string;
  fixture: { webgpu: ForwardResult; reference: number[] };
  tiny: { webgpu: ForwardResult; wasm: ForwardResult };
}

/**
 * The child: initBackend('webgpu') without and with allowSoftwareAdapter, then two U-Net forwards on WebGPU — the
 * numpy-referenced fixture U-Net (every block kind, 2 x 16 x 16, scripts/fixtures/engine.py) and the tiny preset on
 * one 96 x 96 slice with seeded random weights (no zero head) — and the tiny one again on WASM.
 */
const swiftShaderScript = `
const root = new URL(${JSON.stringify(repoRoot.href)});
const engine = await import(new URL('src/engine/index.ts', root).href);
const tf = await import('@tensorflow/tfjs');
const { readFileSync } = await import('node:fs');
const fixturePath = (name) => new URL('tests/fixtures/engine/' + name, root);
const readF32 = (name) => { const b = readFileSync(fixturePath(name)); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const size = (shape) => shape.reduce((a, b) => a * b, 1);

const fixture = JSON.parse(readFileSync(fixturePath('unet.json'), 'utf8'));
const packed = readF32('unet_weights.f32');
const fixtureWeights = new Map(fixture.weights.map((w) => [w.name, packed.subarray(w.offset, w.offset + size(w.shape))]));
const tiny = engine.unetPreset('tiny');
const rng = new engine.Rng(7);
const tinyWeights = new Map(engine.unetParamSpecs(engine.unetPlan(tiny)).map((spec) => {
  const v = new Float32Array(size(spec.shape));
  const bound = spec.init.kind === 'uniform' ? 1 / Math.sqrt(spec.init.fanIn) : 0.1;
  for (let i = 0; i < v.length; i++) v[i] = (spec.init.kind === 'ones' ? 1 : 0) + (2 * rng.next() - 1) * bound;
  return [spec.name, v];
}));
const tinyInput = new Float32Array(96 * 96).map(() => 2 * rng.next() - 1);

// Async reads only: WebGPU's synchronous read needs OffscreenCanvas, which Node lacks.
async function forward(config, weights, x, shape, t) {
  const model = engine.UNet.fromWeights(config, weights);
  const xt = tf.tensor4d(x, shape);
  const started = performance.now();
  const y = model.apply(xt, t);
  const output = Array.from(await y.data());
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([xt, y]);
  model.dispose();
  return { output, seconds };
}

const declined = await engine.initBackend('webgpu');
const forced = await engine.initBackend('webgpu', { allowSoftwareAdapter: true });
const activeAfterForce = tf.getBackend();
const fixtureGpu = await forward(fixture.config, fixtureWeights, readF32('unet_input.f32'), [fixture.batch, fixture.size, fixture.size, 1], fixture.t);
const tinyGpu = await forward(tiny, tinyWeights, tinyInput, [1, 96, 96, 1], [500]);
await engine.initBackend('wasm');
const tinyWasm = await forward(tiny, tinyWeights, tinyInput, [1, 96, 96, 1], [500]);
process.stdout.write(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify({
  declined, forced, activeAfterForce,
  fixture: { webgpu: fixtureGpu, reference: Array.from(readF32('unet_output.f32')) },
  tiny: { webgpu: tinyGpu, wasm: tinyWasm },
}) + '\\n');
`;

const noAdapterScript = `
const engine = await import(new URL('src/engine/index.ts', new URL(${JSON.stringify(repoRoot.href)})).href);
const choice = await engine.initBackend('webgpu');
process.stdout.write(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify(choice) + '\\n');
`;

const swiftShaderTitle = "initBackend('webgpu') in Node on SwiftShader" + (hasSwiftShader ? '' : ` (skipped: needs ${SWIFTSHADER_ICD}, from Debian's chromium)`);

describe.skipIf(!hasSwiftShader)(swiftShaderTitle, () => {
  it('declines the software adapter unless allowed, then runs the U-Net like numpy and WASM (to 1e-3)', async () => {
    const run = await runNode<SwiftShaderReport>(swiftShaderScript, SWIFTSHADER_ENV, 240_000);
    const { declined, forced, fixture, tiny } = run.result;
    expect(declined.name).toBe('wasm');
    expect(declined.reason).toMatch(/software fallback \(google swiftshader/);
    expect(declined.reason).toMatch(/FQLAB_ALLOW_SOFTWARE_WEBGPU=1 forces it; WASM \(SIMD on/);
    expect(forced.name).toBe('webgpu');
    expect(forced.reason).toMatch(/WebGPU on a software adapter/);
    expect(forced.adapterInfo?.architecture).toBe('swiftshader');
    expect(run.result.activeAfterForce).toBe('webgpu');

    expect(maxAbsDiff(fixture.webgpu.output, fixture.reference)).toBeLessThan(1e-3);
    const tinyDiff = maxAbsDiff(tiny.webgpu.output, tiny.wasm.output);
    expect(tinyDiff).toBeLessThan(1e-3);
    // Random weights make a non-trivial output (the zero-initialised head of UNet.create would make both zero).
    expect(Math.max(...tiny.wasm.output.map(Math.abs))).toBeGreaterThan(0.1);
    expect(run.strayStdout).toEqual([]);
    console.info(`webgpu on SwiftShader: fixture U-Net ${fixture.webgpu.seconds.toFixed(1)} s, tiny 96x96 ${tiny.webgpu.seconds.toFixed(1)} s ` +
      `(WASM ${tiny.wasm.seconds.toFixed(2)} s), child ${run.seconds.toFixed(1)} s, max |webgpu - wasm| ${tinyDiff.toExponential(1)}`);
  }, 300_000);
});

describe.skipIf(process.platform !== 'linux')("initBackend('webgpu') in Node without a Vulkan driver", () => {
  it('falls back to WASM and says why, without throwing', async () => {
    // An ICD list naming no file leaves the Vulkan loader (where there is one) with no driver at all.
    const missing = '/nonexistent/fqlab_no_icd.json';
    const run = await runNode<BackendChoice>(noAdapterScript, { VK_ICD_FILENAMES: missing, VK_DRIVER_FILES: missing }, 60_000);
    expect(run.result.name).toBe('wasm');
    expect(run.result.reason).toMatch(/^(WebGPU has no adapter \(Dawn .*libvulkan\.so\.1|the optional webgpu package)/);
    expect(run.result.reason).toMatch(/WASM \(SIMD on, threads off\)$/);
    expect(run.strayStdout).toEqual([]);
  });
});
