// Browser test of the comparison view: Thresh and the shipped pDDPM demo model scored on the same demo cases, the table and its best-value marks.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { dropFiles, type NamedBytes } from './helpers/page.ts';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));
const demo = (name: string) => fileURLToPath(new URL(`../public/demo/${name}`, import.meta.url));

/** One healthy training case, one validation and one test case with lesions, from the shipped demo. */
function demoSubset(): NamedBytes[] {
  const names = ['train-01_T1', 'train-01_brainmask', 'val-03_T1', 'val-03_brainmask', 'val-03_seg', 'test-01_T1', 'test-01_brainmask', 'test-01_seg'];
  return names.map((name) => ({ name: `${name}.nii.gz`, bytes: readFileSync(demo(`${name}.nii.gz`)) }));
}

test('comparison: Thresh and pDDPM on the same cases, one seed, the best value of each column marked', async ({ page }) => {
  test.setTimeout(400_000);
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto('/?demo=off');
  await dropFiles(page, demoSubset());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(3, { timeout: 120_000 });
  const splits = await page.getByTestId('split-select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value).sort());
  expect(splits).toEqual(['healthy-train', 'test', 'validation']);

  // The shipped pDDPM demo model (l1 loss), added to the comparison as the current model.
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'pddpm.fqlab', mimeType: 'application/octet-stream', buffer: readFileSync(demo('models/pddpm.fqlab')) });
  await expect(page.getByTestId('model-info')).toContainText('pDDPM', { timeout: 60_000 });
  await page.getByTestId('compare-add-current').click();
  await expect(page.getByTestId('comparison-row')).toHaveCount(1);

  // Thresh has nothing to train: its model exists as soon as the button is pressed.
  await page.getByTestId('method-select').selectOption('thresh');
  await expect(page.getByTestId('preset-select').locator('option')).toHaveText(['paper — no training']);
  await expect(page.getByTestId('method-source')).toContainText('no training');
  await expect(page.getByTestId('train-button')).toHaveText('Make model (no training)');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('model-info')).toContainText('Thresh', { timeout: 60_000 });
  await page.getByTestId('compare-add-current').click();
  await expect(page.getByTestId('comparison-row')).toHaveCount(2);

  await page.getByTestId('compare-seeds').fill('1');
  await page.getByTestId('compare-seeds').press('Enter');
  await page.getByTestId('compare-run').click();
  const table = page.getByTestId('comparison-table');
  // Registry order: Thresh before pDDPM; both scored (numbers in %).
  await expect(table.getByTestId('comparison-row').locator('th')).toContainText(['Thresh', 'pDDPM']);
  for (const metric of ['dice', 'auprc', 'auroc']) {
    const cells = table.getByTestId(`comparison-${metric}`);
    await expect(cells).toHaveText([/^\d+\.\d$/, /^\d+\.\d$/], { timeout: 300_000 });
    // A marked cell holds the column's highest value (shown to one decimal, so a tie there may mark one or both).
    const values = (await cells.allTextContents()).map(Number);
    const marked = await cells.evaluateAll((els) => els.map((e) => e.classList.contains('best')));
    expect(marked).toContain(true);
    values.forEach((value, row) => expect(marked[row] ? value : Math.max(...values)).toBe(Math.max(...values)));
  }
  await expect(page.getByTestId('comparison-failure')).toHaveCount(0);
  mkdirSync(screensDir, { recursive: true });
  await page.getByTestId('comparison').screenshot({ path: `${screensDir}comparison.png` });
  await page.locator('aside.sidebar').screenshot({ path: `${screensDir}comparison-model-panel.png` });
});
