// Browser tests of the demo: a first visit shows the scan, the FQ overlay and numeric DICE/AUPRC untouched; own files replace it; a missing file is reported.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { dropFiles, expectCanvasNotEmpty, watchRequests } from './helpers/page.ts';
import { syntheticCase } from './helpers/syntheticNifti.ts';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

test.use({ viewport: { width: 1400, height: 1000 } });

test('first visit: the demo opens by itself with maps and metrics, and says its anomalies are synthetic', async ({ page, baseURL }) => {
  // Two reconstructions (the first test case, then a validation case for the threshold) at ~10-20 s each on 2 CPU cores.
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const requests = watchRequests(page, new URL(baseURL ?? 'http://127.0.0.1').origin);
  const started = Date.now();
  await page.goto('/');

  // Stated plainly, and the first-run hint explains the controls.
  await expect(page.getByTestId('synthetic-notice')).toContainText('the anomalies are synthetic');
  await expect(page.getByTestId('synthetic-notice')).toContainText('Montreal Neurological Institute');
  await expect(page.getByTestId('first-run-hint')).toContainText('alpha');
  await expect(page.getByTestId('demo-status')).not.toBeEmpty();

  // The first test case appears in the viewer before any reconstruction is done.
  await expect(page.getByTestId('case-select')).toHaveValue('test-01', { timeout: 60_000 });
  await expectCanvasNotEmpty(page);
  const imageShownS = (Date.now() - started) / 1000;

  // Its FQ map and threshold-free metrics come first.
  await expect(page.getByTestId('metric-auprc')).toHaveText(/\d/, { timeout: 180_000 });
  const auprcShownS = (Date.now() - started) / 1000;
  await expect(page.getByTestId('overlay-select')).toHaveValue('fq');
  await expect(page.getByTestId('layer-controls')).toContainText('FQ map');

  // DICE once a validation case gave the threshold.
  await expect(page.getByTestId('metric-dice')).toHaveText(/\d/, { timeout: 180_000 });
  const diceShownS = (Date.now() - started) / 1000;
  await expect(page.getByTestId('threshold-info')).toContainText('validation search');
  await expectCanvasNotEmpty(page);

  mkdirSync(screensDir, { recursive: true });
  await page.locator('main.main').evaluate((main) => main.scrollTo(0, 0));
  await page.screenshot({ path: `${screensDir}10-demo-first-visit.png` });
  test.info().annotations.push({
    type: 'timing',
    description: `scan shown after ${imageShownS.toFixed(1)} s, AUPRC after ${auprcShownS.toFixed(1)} s, DICE after ${diceShownS.toFixed(1)} s`,
  });
  console.log(`demo timing: scan ${imageShownS.toFixed(1)} s, AUPRC ${auprcShownS.toFixed(1)} s, DICE ${diceShownS.toFixed(1)} s`);

  // The help folds when dismissed; the next visit opens with it folded, and its title opens it again.
  const hint = page.getByTestId('first-run-hint');
  await page.getByTestId('hint-dismiss').click();
  await expect(page.getByTestId('hint-intro')).toBeHidden();
  await page.getByTestId('metric-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${screensDir}11-demo-metrics.png` });
  await page.reload();
  await expect(page.getByTestId('synthetic-notice')).toBeVisible();
  await expect(hint).not.toHaveAttribute('open');
  await expect(page.getByTestId('hint-intro')).toBeHidden();
  await page.getByTestId('hint-toggle').click();
  await expect(page.getByTestId('hint-intro')).toContainText('The demo opens by itself');
  await expect(page.getByTestId('hint-intro')).toBeVisible();

  expect(requests.foreign()).toEqual([]);
  expect(errors).toEqual([]);
});

test('own files stop the demo and replace its volumes', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  // Mid-reconstruction: the drop must wait for the case in progress, then unload the demo cleanly.
  await expect(page.getByTestId('demo-status')).toContainText('Reconstructing', { timeout: 90_000 });
  const healthy = syntheticCase({ seed: 1 });
  await dropFiles(page, [{ name: 'mine_T2.nii', bytes: healthy.image }]);
  await expect(page.getByTestId('demo-status')).toContainText('Demo closed', { timeout: 90_000 });
  await expect(page.getByTestId('file-list').locator('tbody tr[data-file-name]')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.locator('.case-card.status-ready')).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByTestId('synthetic-notice')).toHaveCount(0);
  await expect(page.getByTestId('case-select')).toHaveValue('mine');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a missing demo file is reported in the error banner, and the page keeps working', async ({ page }) => {
  await page.route('**/demo/manifest.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/');
  const banner = page.getByTestId('error-banner');
  await expect(banner).toContainText('demo/manifest.json', { timeout: 30_000 });
  await expect(banner).toContainText('HTTP 404');
  await expect(page.getByTestId('demo-resume')).toBeVisible();
  await expect(page.getByTestId('drop-zone')).toBeVisible();
});
