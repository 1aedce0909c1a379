// Browser test of the case list: many files fold away, split counts, search, and a bulk split keep the panels below in view.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { syntheticCase } from './helpers/syntheticNifti.ts';
import { dropFiles, type NamedBytes } from './helpers/page.ts';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

/** Seven small lesion cases (image + segmentation): 14 files, more than the file list shows unfolded. */
function lesionCases(): NamedBytes[] {
  return Array.from({ length: 7 }, (_, i) => {
    const c = syntheticCase({ seed: i + 1, dims: [48, 56, 32], lesion: { centre: [0.4, 0.5, 0.5], radius: 4 } });
    const id = `subj0${i + 1}`;
    return [{ name: `${id}_T2.nii`, bytes: c.image }, { name: `${id}_seg.nii`, bytes: c.segmentation! }];
  }).flat();
}

test('14 files fold into a summary; cases are counted per split, searched, and moved to a split together', async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto('/?demo=off');
  await dropFiles(page, lesionCases());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(7, { timeout: 150_000 });
  await expect(page.getByTestId('file-list-summary')).toHaveText('14 files (7 images, 7 segmentations)');
  await expect(page.getByTestId('file-list')).toBeHidden();
  // The first lesion case becomes validation, the others test.
  await expect(page.getByTestId('split-counts')).toHaveText('healthy-train 0validation 1test 6');

  await page.getByTestId('case-search').fill('subj03');
  await expect(page.locator('.case-card')).toHaveCount(1);
  await page.getByTestId('case-search').fill('test');
  await expect(page.locator('.case-card')).toHaveCount(6);
  await page.getByTestId('case-pick-all').check();
  await page.locator('.case-card[data-case-id="subj02"]').getByTestId('case-pick').uncheck();
  await page.getByTestId('bulk-split').selectOption('healthy-train');
  await expect(page.getByTestId('split-counts')).toHaveText('healthy-train 5validation 1test 1');
  await page.getByTestId('case-search').fill('');
  await expect(page.locator('.case-card')).toHaveCount(7);

  // The Model panel below the seven cases starts on the first screen (the case list scrolls on its own).
  const modelPanel = page.locator('details.panel', { has: page.locator('.panel-title', { hasText: /^Model$/ }) });
  const box = await modelPanel.boundingBox();
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: `${screensDir}case-list.png` });
  expect(box?.y ?? Infinity).toBeLessThan(900);
});
