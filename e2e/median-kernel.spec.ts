// Browser test of the median filter's WebAssembly SIMD kernel: Chromium compiles it, prefers it, and it gives the JavaScript kernel's bits.
import { expect, test } from '@playwright/test';

test('the median filter runs its WebAssembly SIMD kernel in Chromium, bit for bit as the JavaScript one', async ({ page }) => {
  await page.goto('/e2e/harness.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const result = await page.evaluate(() => window.fqlabHarness!.medianKernels());
  expect(result).toEqual({ preferred: 'wasm-simd', sameBits: true });
});
