// Browser test of the alpha source and the structural term: alpha chosen on the validation case shows in the panel and on the (disabled) slider, and a GMSD structural term rescores.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { syntheticSet } from './helpers/syntheticNifti.ts';
import { dropFiles } from './helpers/page.ts';

const demoModel = fileURLToPath(new URL('../public/demo/models/pddpm-iqa.fqlab', import.meta.url));

test('alpha chosen on validation and the GMSD structural term rescore the study and say so', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('/?demo=off');
  await dropFiles(page, syntheticSet());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(3, { timeout: 120_000 });
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'pddpm-iqa.fqlab', mimeType: 'application/octet-stream', buffer: readFileSync(demoModel) });
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('run-inference').click();
  await expect(page.getByTestId('metric-auprc')).toHaveText(/\d/, { timeout: 300_000 });
  await expect(page.getByTestId('metrics-updating')).toHaveCount(0, { timeout: 60_000 });

  await page.getByTestId('alpha-source').selectOption('val-dice');
  await expect(page.getByTestId('alpha-chosen')).toHaveText(/^chosen alpha [\d.]+ \(pooled Dice [\d.]+ on validation, best of 12\)$/, { timeout: 120_000 });
  const chosen = /chosen alpha ([\d.]+)/.exec((await page.getByTestId('alpha-chosen').textContent()) ?? '')?.[1];
  await expect(page.getByTestId('alpha-slider')).toBeDisabled();
  await expect(page.getByTestId('results-strip')).toContainText(`chosen on the validation cases (val-dice)`);
  await expect(page.getByTestId('results-strip').locator('output')).toHaveText(Number(chosen).toFixed(2));

  const table = await page.getByTestId('metric-table').textContent();
  await page.getByTestId('structural-term').selectOption('gmsd');
  await expect(page.getByTestId('metric-table')).not.toHaveText(table ?? '', { timeout: 120_000 });
  await expect(page.getByTestId('results-strip')).toContainText('alpha (GMS loss weight)');
  await expect(page.getByTestId('alpha-chosen')).toHaveText(/^chosen alpha /, { timeout: 120_000 });

  await page.getByTestId('alpha-source').selectOption('fixed');
  await expect(page.getByTestId('alpha-slider')).toBeEnabled();
  await expect(page.getByTestId('alpha-chosen')).toHaveCount(0);
});
