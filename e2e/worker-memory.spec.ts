// Browser test of the Diagnostics readouts: tf.memory() in the compute worker, which holds the model's tensors, and the GPU lines.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { openPanel } from './helpers/page.ts';

const demoModel = fileURLToPath(new URL('../public/demo/models/pddpm-iqa.fqlab', import.meta.url));

test("after a checkpoint loads, the memory readout counts the worker's tensors", async ({ page }) => {
  await page.goto('/?demo=off');
  await openPanel(page, 'Diagnostics');
  await expect(page.getByTestId('worker-memory')).toHaveText(/^0 tensors/, { timeout: 60_000 });
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'pddpm-iqa.fqlab', mimeType: 'application/octet-stream', buffer: readFileSync(demoModel) });
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('worker-memory')).toHaveText(/^[1-9]\d* tensors, .* in the compute worker$/, { timeout: 30_000 });
  // The GPU lines come from the same diagnostics: the kernel set in force, and no rate before a reconstruction or training step.
  await expect(page.getByTestId('kernel-set')).toHaveText(/^stock/);
  await expect(page.getByTestId('forward-tflops')).toHaveText('no reconstruction yet');
  await expect(page.getByTestId('training-tflops')).toHaveText('no training step yet');
  await expect(page.getByTestId('gpu-adapter')).not.toBeEmpty();
  // The kernel set can be switched from the panel; the worker reports the new one.
  await page.getByTestId('kernel-set-select').selectOption('custom');
  await expect(page.getByTestId('kernel-set')).toHaveText(/^custom \(applies to WebGPU only/);
  await page.getByTestId('kernel-set-select').selectOption('stock');
  await expect(page.getByTestId('kernel-set')).toHaveText(/^stock /);
});
