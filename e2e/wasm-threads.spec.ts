// Browser test of threaded WASM: the real compute worker starts tfjs's threaded SIMD build, and threads change no number.
import { expect, test, type Page } from '@playwright/test';

async function openHarness(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/e2e/harness.html');
  await expect(page.locator('#status')).toHaveText('ready');
  return errors;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
  return max;
}

test('the compute worker runs threaded WASM, and a tiny U-Net forward matches single-threaded WASM to 1e-5', async ({ page }) => {
  const errors = await openHarness(page);
  const result = await page.evaluate(async () => {
    const harness = window.fqlabHarness;
    if (!harness) throw new Error('harness missing');
    const real = await harness.client.backendCheck('wasm', { slices: 2, seed: 5 });
    const diagnostics = await harness.client.diagnostics();
    const { single, twoThreads, singleStart, twoThreadsStart } = await harness.wasmCheckPair();
    return {
      diagnostics,
      singleStart,
      twoThreadsStart,
      hardwareConcurrency: navigator.hardwareConcurrency,
      real: Array.from(real.output),
      single: Array.from((await single.forward({ slices: 2, seed: 5 })).output),
      twoThreads: Array.from((await twoThreads.forward({ slices: 2, seed: 5 })).output),
    };
  });
  const reason = result.diagnostics.backend?.reason ?? '';
  console.log(`compute worker: ${reason} (navigator.hardwareConcurrency ${result.hardwareConcurrency})`);
  expect(result.diagnostics.crossOriginIsolated).toBe(true);
  expect(result.diagnostics.backend?.name).toBe('wasm');
  // tfjs sizes XNNPACK's pool to half the logical cores, at least 1: "threads on: 1" on a 2-core machine.
  expect(reason).toMatch(/^WASM \(SIMD on, threads on: \d+\)/);
  const threads = Number(/threads on: (\d+)/.exec(reason)?.[1]);
  expect(threads).toBeGreaterThanOrEqual(1);
  expect(threads).toBeLessThanOrEqual(Math.max(1, Math.floor(result.hardwareConcurrency / 2)));
  expect(result.singleStart).toEqual({ reason: 'WASM (SIMD on, threads off), as requested', threadsCount: 1 });
  expect(result.twoThreadsStart).toEqual({ reason: 'WASM (SIMD on, threads on: 2), as requested', threadsCount: 2 });
  expect(result.real.length).toBe(2 * 96 * 96);
  expect(result.single.length).toBe(result.real.length);
  expect(result.twoThreads.length).toBe(result.real.length);
  expect(maxAbs(result.single)).toBeGreaterThan(1e-2); // a real, non-zero output
  expect(maxAbsDiff(result.real, result.single)).toBeLessThanOrEqual(1e-5);
  expect(maxAbsDiff(result.twoThreads, result.single)).toBeLessThanOrEqual(1e-5);
  expect(errors).toEqual([]);
});

test("a training gradient through the engine's WASM kernels matches between 2-thread and single-threaded WASM to 1e-5", async ({ page }) => {
  const errors = await openHarness(page);
  const result = await page.evaluate(async () => {
    const harness = window.fqlabHarness;
    if (!harness) throw new Error('harness missing');
    const { single, twoThreads } = await harness.wasmCheckPair();
    const threaded = await twoThreads.gradient(7, 2);
    const reference = await single.gradient(7, 2);
    return { threaded: { loss: threaded.loss, gradients: Array.from(threaded.gradients) }, reference: { loss: reference.loss, gradients: Array.from(reference.gradients) } };
  });
  const diff = maxAbsDiff(result.threaded.gradients, result.reference.gradients);
  console.log(`gradient: loss ${result.threaded.loss} vs ${result.reference.loss}; max |2 threads - 1| = ${diff.toExponential(2)} (max |g| ${maxAbs(result.reference.gradients).toExponential(2)})`);
  expect(result.reference.gradients.length).toBe(83_033); // every weight of the tiny U-Net
  expect(result.threaded.gradients.length).toBe(result.reference.gradients.length);
  expect(result.threaded.gradients.every(Number.isFinite)).toBe(true);
  expect(maxAbs(result.reference.gradients)).toBeGreaterThan(1e-4);
  expect(Math.abs(result.threaded.loss - result.reference.loss)).toBeLessThanOrEqual(1e-5);
  expect(diff).toBeLessThanOrEqual(1e-5);
  expect(errors).toEqual([]);
});

test("the engine's WebAssembly SIMD kernels (fused GroupNorm + scale-shift + SiLU, Winograd convolution) link to threaded (shared) and single-threaded WASM memory and give the CPU backend's values and gradients", async ({ page }) => {
  const errors = await openHarness(page);
  const result = await page.evaluate(async () => {
    const harness = window.fqlabHarness;
    if (!harness) throw new Error('harness missing');
    const { single, twoThreads, twoThreadsStart: threadedStart } = await harness.wasmCheckPair();
    const plain = (r: Awaited<ReturnType<typeof single.fusedGroupNorm>>) => ({ linked: r.linked, wasm: Array.from(r.wasm), cpu: Array.from(r.cpu) });
    return {
      threadedReason: threadedStart.reason,
      groupNorm: { threaded: plain(await twoThreads.fusedGroupNorm()), single: plain(await single.fusedGroupNorm()) },
      winograd: { threaded: plain(await twoThreads.winogradConv()), single: plain(await single.winogradConv()) },
    };
  });
  expect(result.threadedReason).toMatch(/threads on: 2/);
  const kernels = [
    { name: 'fused GroupNorm', runs: result.groupNorm, length: 3 * 7 * 9 * 12 * 2 + 12 * 2 + 3 * 24, tolerance: 1e-5 },
    { name: 'Winograd convolution', runs: result.winograd, length: 3 * 7 * 9 * 12 + 3 * 7 * 9 * 8 + 3 * 3 * 8 * 12 + 12, tolerance: 1e-4 },
  ];
  for (const { name, runs, length, tolerance } of kernels) {
    for (const [memory, r] of [['threaded', runs.threaded], ['single-threaded', runs.single]] as const) {
      const scale = maxAbs(r.cpu);
      const label = `${name}, ${memory}`;
      console.log(`${label}: linked ${r.linked}; max |wasm - cpu| / max |cpu| = ${(maxAbsDiff(r.wasm, r.cpu) / scale).toExponential(2)}`);
      expect(r.linked, label).toBe(true);
      expect(r.wasm.length, label).toBe(length);
      expect(scale, label).toBeGreaterThan(1e-2);
      expect(maxAbsDiff(r.wasm, r.cpu) / scale, label).toBeLessThanOrEqual(tolerance);
    }
  }
  expect(errors).toEqual([]);
});
