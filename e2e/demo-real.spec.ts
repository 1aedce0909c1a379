// Browser test of the demo's real-scan track: picked in the demo bar, it shows its cases, their credits, how little its models trained on, and metrics.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

const manifest = JSON.parse(readFileSync(new URL('../public/demo/real/manifest.json', import.meta.url), 'utf8')) as {
  training: Record<string, { slices: number; scans: number }>;
};

test.use({ viewport: { width: 1400, height: 1000 } });

test('the real-scan T2 track: its cases, credits, training size, stored comparison and live metrics', async ({ page }) => {
  // Two reconstructions (the test scan, then the threshold scan) at ~20-60 s each on 2 shared CPU cores.
  test.setTimeout(400_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  await expect(page.getByTestId('synthetic-notice')).toBeVisible();
  await page.getByTestId('demo-track-select').selectOption('real-t2');

  const notice = page.getByTestId('real-scans-notice');
  await expect(notice).toContainText('real T2 scans with real lesions', { timeout: 90_000 });
  await expect(page.getByTestId('synthetic-notice')).toHaveCount(0);
  await expect(page.getByTestId('first-run-hint')).not.toContainText('anomalies are synthetic');
  const credits = page.getByTestId('real-credits');
  for (const credit of ['Lesjak et al.', 'The Cancer Imaging Archive', 'IXI dataset, Imperial College London', 'CC BY-SA 3.0']) await expect(credits).toContainText(credit);
  const { slices, scans } = manifest.training.T2;
  await expect(page.getByTestId('real-training')).toContainText(`${slices} axial slices from ${scans} scans`);
  await expect(page.getByTestId('real-results')).toContainText(/pDDPM-IQA \(FQ\) DICE [\d.]+ ± [\d.]+ %.*FQ (beats|loses to|and l1 tie)/);

  // Its three cases replace the synthetic ones; the glioma test scan is shown first.
  const caseSelect = page.getByTestId('case-select');
  await expect(caseSelect).toHaveValue('tcga-du-7294-t2', { timeout: 90_000 });
  await expect(page.locator('[data-testid="case-select"] option[value="mslub07-t2"]')).toHaveCount(1, { timeout: 90_000 });
  await expect(page.locator('[data-testid="case-select"] option[value="test-01"]')).toHaveCount(0);
  await expect(page.getByTestId('metric-auprc')).toHaveText(/\d/, { timeout: 240_000 });
  await expect(page.getByTestId('metric-dice')).toHaveText(/\d/, { timeout: 240_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  mkdirSync(screensDir, { recursive: true });
  await page.locator('main.main').evaluate((main) => main.scrollTo(0, 0));
  await page.screenshot({ path: `${screensDir}12-demo-real-track.png` });
  expect(errors).toEqual([]);
});
