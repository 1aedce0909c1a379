// Browser test of the comparison view: Thresh and the shipped pDDPM demo model scored on the same demo cases, the table and its best-value marks, their maps side by side.
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

  // Side by side: both rows' maps on the same case and slice, in one window; one slider moves both.
  const sideBySide = page.getByTestId('side-by-side');
  await sideBySide.getByTestId('side-by-side-case').selectOption('test_01');
  const left = sideBySide.getByTestId('side-by-side-left');
  const right = sideBySide.getByTestId('side-by-side-right');
  await expect(left).toHaveAttribute('data-case-id', 'test_01', { timeout: 30_000 });
  await expect(right).toHaveAttribute('data-case-id', 'test_01');
  const modelIds = await table.getByTestId('comparison-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model-id')));
  await expect(left).toHaveAttribute('data-model-id', modelIds[0] ?? '');
  await expect(right).toHaveAttribute('data-model-id', modelIds[1] ?? '');
  const sliceOf = async () => [await left.getAttribute('data-slice'), await right.getAttribute('data-slice')];
  const [leftSlice, rightSlice] = await sliceOf();
  expect(leftSlice).toBe(rightSlice);
  /** The canvas's pixels as a string of RGB triples, and how many are not grey (map colour or outline). */
  const pixels = (canvas: typeof left) =>
    canvas.evaluate((el) => {
      const c = el as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) coloured++;
      return { coloured, digest: Array.from(data).join(',') };
    });
  const [leftPixels, rightPixels] = [await pixels(left), await pixels(right)];
  expect(leftPixels.coloured).toBeGreaterThan(0);
  expect(rightPixels.coloured).toBeGreaterThan(0);
  // Thresh's map (the scan itself) and pDDPM's l1 map differ.
  expect(leftPixels.digest).not.toBe(rightPixels.digest);
  await expect(sideBySide.getByTestId('side-by-side-window')).toContainText('one window');
  const slider = sideBySide.getByTestId('side-by-side-slice');
  const moved = String(Number(leftSlice) > 10 ? Number(leftSlice) - 5 : Number(leftSlice) + 5);
  await slider.fill(moved);
  await expect(left).toHaveAttribute('data-slice', moved);
  await expect(right).toHaveAttribute('data-slice', moved);
  // The same model on both sides shows the same pixels.
  await sideBySide.getByTestId('side-by-side-right-select').selectOption(modelIds[0] ?? '');
  await expect(right).toHaveAttribute('data-model-id', modelIds[0] ?? '');
  await expect.poll(async () => (await pixels(right)).digest === (await pixels(left)).digest, { timeout: 30_000 }).toBe(true);
  await sideBySide.getByTestId('side-by-side-right-select').selectOption(modelIds[1] ?? '');
  mkdirSync(screensDir, { recursive: true });
  await page.getByTestId('comparison').screenshot({ path: `${screensDir}comparison.png` });
  await page.locator('aside.sidebar').screenshot({ path: `${screensDir}comparison-model-panel.png` });
});
