// Browser test of a method's options in the Model panel: the VAE's UPD variant, its own preset sizes, and a two-step tiny run whose model info names it.
import { expect, test } from '@playwright/test';
import { dropFiles } from './helpers/page.ts';
import { syntheticSet } from './helpers/syntheticNifti.ts';

test('method options: VAE with the UPD variant shows its sizes, trains two tiny steps and the model says UPD', async ({ page }) => {
  test.setTimeout(300_000);
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.goto('/?demo=off');
  await dropFiles(page, syntheticSet());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(3, { timeout: 120_000 });

  await page.getByTestId('method-select').selectOption('vae');
  const variant = page.getByTestId('vae-variant-select');
  await expect(variant).toHaveValue('baur');
  const paper = page.getByTestId('preset-select').locator('option[value="paper"]');
  await expect(paper).toHaveAttribute('title', '1,815,569 parameters');
  await variant.selectOption('upd');
  // BASELINES.md 4, option B at the reference size.
  await expect(paper).toHaveAttribute('title', '1,018,273 parameters');
  await expect(paper).toHaveText('paper — 1.0 M params');

  await page.getByTestId('preset-select').selectOption('tiny');
  for (const [id, value] of [['steps-input', '2'], ['batch-input', '2'], ['evaluate-every-input', '0']] as const) {
    await page.getByTestId(id).fill(value);
    await page.getByTestId(id).press('Enter');
  }
  await page.getByTestId('train-button').click();
  const info = page.getByTestId('model-info');
  await expect(info).toContainText('VAE (UPD variant) tiny, 57,337 parameters', { timeout: 240_000 });
  await expect(info).toContainText('step 2');
  // Another method starts from its own defaults: no variant control.
  await page.getByTestId('method-select').selectOption('ae');
  await expect(variant).toHaveCount(0);
});
