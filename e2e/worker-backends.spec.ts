// Browser test of the compute worker's backends: a tiny U-Net forward agrees on WebGPU (software adapter) and WASM,
// and 'auto' declines the software adapter for WASM and says why. Needs the e2e/harness.html page in the build.
import { expect, test, type Page } from '@playwright/test';

async function openHarness(page: Page): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/e2e/harness.html');
  await expect(page.locator('#status')).toHaveText('ready');
  expect(errors).toEqual([]);
}

test('a tiny U-Net forward in the worker agrees on WebGPU (SwiftShader) and WASM to 1e-3', async ({ page }) => {
  // SwiftShader compiles the WebGPU shaders on the CPU: about 100 s on 2 cores.
  test.setTimeout(300_000);
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const client = window.fqlabHarness?.client;
    if (!client) throw new Error('harness client missing');
    const gpu = await client.backendCheck('webgpu', { slices: 2, seed: 3, allowSoftwareAdapter: true });
    const wasm = await client.backendCheck('wasm', { slices: 2, seed: 3 });
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < gpu.output.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(gpu.output[i] - wasm.output[i]));
      maxAbs = Math.max(maxAbs, Math.abs(wasm.output[i]));
    }
    return {
      gpu: gpu.backend,
      wasm: wasm.backend,
      length: gpu.output.length,
      wasmLength: wasm.output.length,
      finite: [...gpu.output, ...wasm.output].every(Number.isFinite),
      maxDiff,
      maxAbs,
      ms: { gpu: gpu.elapsedMs, wasm: wasm.elapsedMs },
    };
  });
  console.log(`backend check: max |webgpu - wasm| = ${result.maxDiff.toExponential(2)} (max |x0| ${result.maxAbs.toFixed(3)}); ms`, result.ms);
  expect(result.gpu.name).toBe('webgpu');
  expect(result.gpu.adapterInfo?.isFallbackAdapter).toBe(true);
  expect(result.wasm.name).toBe('wasm');
  expect(result.length).toBe(2 * 96 * 96);
  expect(result.wasmLength).toBe(result.length);
  expect(result.finite).toBe(true);
  expect(result.maxAbs).toBeGreaterThan(1e-2); // a real, non-zero output
  expect(result.maxDiff).toBeLessThan(1e-3);
});

test('the custom WebGPU kernels in a worker (split-K Conv2DBackpropFilter, fused GroupNorm) give the CPU backend\'s values to 1e-4 (SwiftShader)', async ({ page }) => {
  test.setTimeout(300_000);
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const open = window.fqlabHarness?.gpuKernelsWorker;
    if (!open) throw new Error('harness gpuKernelsWorker missing');
    // max |a - b| over max |reference| per array: the relative error of a whole output or gradient.
    const relative = (a: Float32Array[], reference: Float32Array[]) =>
      a.map((g, i) => {
        let diff = 0;
        let scale = 1e-6;
        for (let j = 0; j < g.length; j++) {
          diff = Math.max(diff, Math.abs(g[j] - reference[i][j]));
          scale = Math.max(scale, Math.abs(reference[i][j]));
        }
        return g.length === reference[i].length ? diff / scale : Infinity;
      });
    const backends: string[] = [];
    const errors: Record<string, number[]> = {};
    for (const op of ['filterGradients', 'groupNorm'] as const) {
      const custom = await open()[op]('webgpu', 'custom');
      const stock = await open()[op]('webgpu', 'stock');
      const cpu = await open()[op]('cpu', 'stock');
      backends.push(custom.backend, stock.backend, cpu.backend);
      errors[`${op} custom`] = relative(custom.gradients, cpu.gradients);
      errors[`${op} stock`] = relative(stock.gradients, cpu.gradients);
    }
    return { backends, errors };
  });
  console.log('custom WebGPU kernels, relative error against cpu:', result.errors);
  expect(result.backends).toEqual(['webgpu', 'webgpu', 'cpu', 'webgpu', 'webgpu', 'cpu']);
  expect(result.errors['groupNorm custom']).toHaveLength(4);
  for (const error of Object.values(result.errors).flat()) expect(error).toBeLessThan(1e-4);
});

test("'auto' picks WASM on the software WebGPU adapter and reports why", async ({ page }) => {
  await openHarness(page);
  const info = await page.evaluate(async () => {
    const client = window.fqlabHarness?.client;
    if (!client) throw new Error('harness client missing');
    const backend = await client.initBackend('auto');
    const diagnostics = await client.diagnostics();
    return { backend, diagnostics };
  });
  expect(info.backend.name).toBe('wasm');
  expect(info.backend.reason).toMatch(/software fallback/i);
  expect(info.backend.reason).toMatch(/swiftshader/i);
  expect(info.backend.adapterInfo?.isFallbackAdapter).toBe(true);
  expect(info.diagnostics.backend?.name).toBe('wasm');
  expect(info.diagnostics.crossOriginIsolated).toBe(true);
});
