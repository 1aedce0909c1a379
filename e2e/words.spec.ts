// Browser tests of the words and rough edges: favicon, the help box in ?demo=off (folded after the first visit), a
// disabled sweep that says why, dismiss-all for banners, and the healthy-train slice counts.
import { expect, test } from '@playwright/test';
import { syntheticCase } from './helpers/syntheticNifti.ts';
import { dropFiles, openPanel } from './helpers/page.ts';

test('an empty workbench: no 404, help for own data, sweep disabled with its reason, banners dismissed at once, slice counts', async ({ page }) => {
  test.setTimeout(240_000);
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(response.url());
  });
  await page.goto('/?demo=off');
  await expect(page.getByTestId('hint-intro')).toContainText('opened empty');
  await expect(page.getByTestId('first-run-hint')).not.toContainText('The demo opens by itself');
  await expect(page.getByTestId('first-run-hint')).not.toContainText('instant');

  await openPanel(page, 'Sweeps');
  await expect(page.getByTestId('sweep-button')).toBeDisabled();
  await expect(page.getByTestId('sweep-blocker')).toContainText('Train a model or load a checkpoint');

  // Two refused files: two messages, one click clears both.
  for (const name of ['broken1.nii.gz', 'broken2.nii.gz']) {
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/gzip', buffer: Buffer.from('not a NIfTI file') });
  }
  await expect(page.getByTestId('error-banner').locator('li')).toHaveCount(2, { timeout: 30_000 });
  await page.getByTestId('dismiss-all').click();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // A healthy case uses every brain slice; a lesion case put in healthy-train leaves its lesion slices out, with a warning.
  const healthy = syntheticCase({ seed: 1 });
  const lesion = syntheticCase({ seed: 2, lesion: { centre: [0.35, 0.45, 0.5], radius: 6 } });
  await dropFiles(page, [
    { name: 'synthA_T2.nii', bytes: healthy.image },
    { name: 'synthB_T2.nii', bytes: lesion.image },
    { name: 'synthB_seg.nii', bytes: lesion.segmentation! },
  ]);
  await expect(page.locator('.case-card.status-ready')).toHaveCount(2, { timeout: 120_000 });
  const healthyCounts = page.locator('.case-card[data-case-id="syntha"]').getByTestId('training-slices');
  await expect(healthyCounts).toHaveText(/^\d+ of 50 slices used for training, 0 left out \(lesion\)$/);
  const lesionCard = page.locator('.case-card[data-case-id="synthb"]');
  await lesionCard.getByTestId('split-select').selectOption('healthy-train');
  await expect(lesionCard.getByTestId('training-slices')).toContainText(/\d+ of 50 slices used for training, [1-9]\d* left out \(lesion\)/, { timeout: 60_000 });
  await expect(lesionCard.getByTestId('healthy-seg-warning')).toBeVisible();
  expect(missing).toEqual([]);
});

test('"How this works" is open on the first visit, folded on the next, opens again, and speaks of own data in ?demo=off', async ({ page }) => {
  await page.goto('/?demo=off');
  const hint = page.getByTestId('first-run-hint');
  await expect(hint).toHaveAttribute('open', '');
  await expect(page.getByTestId('hint-intro')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('hint-toggle')).toContainText('How this works');
  await expect(hint).not.toHaveAttribute('open');
  await expect(page.getByTestId('hint-intro')).toBeHidden();
  await page.getByTestId('hint-toggle').click();
  await expect(page.getByTestId('hint-intro')).toBeVisible();
  await expect(page.getByTestId('hint-intro')).toContainText('opened empty');
  await expect(hint).not.toContainText('The demo opens by itself');
  await page.getByTestId('hint-dismiss').click();
  await expect(page.getByTestId('hint-intro')).toBeHidden();
});
