// WebGPU in Node on SwiftShader: each non-U-Net method's reconstruction (tiny preset, seeded fresh weights) matches WASM.
import { describe, expect, it } from 'vitest';
import { hasSwiftShader, RESULT_PREFIX, repoRoot, runNode, SWIFTSHADER_ENV, SWIFTSHADER_ICD } from './nodeChild.ts';
import { maxAbsDiff } from '../support/closeness.ts';

/** The smallest volume every method's network takes (as in tests/engine/methods/svae.test.ts). */
const DIMS = [32, 32, 4] as const;
/** Each case: a method with its options, as the registry's trainingConfig takes them. */
const CASES = [
  { label: 'ae', method: 'ae', options: {} },
  { label: 'sae', method: 'sae', options: {} },
  { label: 'vae', method: 'vae', options: {} },
  { label: 'vae (upd)', method: 'vae', options: { vaeVariant: 'upd' } },
  { label: 'svae', method: 'svae', options: {} },
  { label: 'dae', method: 'dae', options: {} },
  { label: 'fanogan', method: 'fanogan', options: {} },
] as const;
/**
 * The largest |webgpu - wasm| as a fraction of the WASM output's range: fresh autoencoders give near-constant outputs
 * (range ~0.02), so an absolute bound would be loose. Both backends are float32 summed in different orders (WGSL tiles
 * vs XNNPACK); measured up to ~2e-6 of the range, so 1e-3 leaves room yet catches any wrong kernel.
 */
const TOLERANCE = 1e-3;
/** Below this output range the comparison would say nothing (a network that outputs a constant). */
const MIN_RANGE = 0.01;

interface MethodResult {
  label: string;
  webgpu: number[];
  wasm: number[];
  webgpuSeconds: number;
}

const script = `
const root = new URL(${JSON.stringify(repoRoot.href)});
const engine = await import(new URL('src/engine/index.ts', root).href);
const dims = ${JSON.stringify(DIMS)};
const rng = new engine.Rng(11);
const volume = new Float32Array(dims[0] * dims[1] * dims[2]).map(() => rng.next());
async function reconstruct(c) {
  const network = engine.createNetwork(engine.METHODS[c.method].trainingConfig('tiny', { dims }, c.options), 3);
  const started = performance.now();
  const recon = await network.reconstruct(volume, { dims, noiseLevel: 500, seed: 0 });
  const seconds = (performance.now() - started) / 1000;
  network.dispose();
  return { output: Array.from(recon), seconds };
}
const cases = ${JSON.stringify(CASES)};
const forced = await engine.initBackend('webgpu', { allowSoftwareAdapter: true });
if (forced.name !== 'webgpu') throw new Error('no WebGPU: ' + forced.reason);
const gpu = [];
for (const c of cases) gpu.push(await reconstruct(c));
await engine.initBackend('wasm');
const results = [];
for (let i = 0; i < cases.length; i++) {
  const cpu = await reconstruct(cases[i]);
  results.push({ label: cases[i].label, webgpu: gpu[i].output, wasm: cpu.output, webgpuSeconds: gpu[i].seconds });
}
process.stdout.write(${JSON.stringify(RESULT_PREFIX)} + JSON.stringify(results) + '\\n');
`;

const title = 'method reconstructions on WebGPU (SwiftShader) vs WASM' + (hasSwiftShader ? '' : ` (skipped: needs ${SWIFTSHADER_ICD}, from Debian's chromium)`);

describe.skipIf(!hasSwiftShader)(title, () => {
  it(`ae, sae, vae, vae (upd), svae, dae and fanogan agree to ${TOLERANCE} of the output range`, async () => {
    const run = await runNode<MethodResult[]>(script, SWIFTSHADER_ENV, 240_000);
    expect(run.result.map((r) => r.label)).toEqual(CASES.map((c) => c.label));
    const diffs = run.result.map((r) => ({ label: r.label, diff: maxAbsDiff(r.webgpu, r.wasm), range: Math.max(...r.wasm) - Math.min(...r.wasm) }));
    console.info(`methods on SwiftShader (child ${run.seconds.toFixed(1)} s): ` +
      run.result.map((r, i) => `${r.label} ${r.webgpuSeconds.toFixed(1)} s, max diff ${diffs[i].diff.toExponential(1)} (output range ${diffs[i].range.toFixed(3)})`).join('; '));
    for (const { label, diff, range } of diffs) {
      expect({ label, varied: range > MIN_RANGE, agrees: diff < TOLERANCE * range }).toEqual({ label, varied: true, agrees: true });
    }
    expect(run.result.every((r) => r.wasm.length === DIMS[0] * DIMS[1] * DIMS[2])).toBe(true);
    expect(run.strayStdout).toEqual([]);
  }, 300_000);
});
