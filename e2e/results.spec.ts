// Browser test of the first screen: once the demo has results, the metrics strip and alpha slider are in view at 1600x1000
// (screenshots: the first screen, and the viewer with its compare strip).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator } from '@playwright/test';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));
const SCREEN = { width: 1600, height: 1000 };

async function expectOnFirstScreen(locator: Locator, what: string): Promise<void> {
  const box = await locator.boundingBox();
  expect(box, `${what} should be laid out`).not.toBeNull();
  expect(box!.x, what).toBeGreaterThanOrEqual(0);
  expect(box!.y, what).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, what).toBeLessThanOrEqual(SCREEN.width);
  expect(box!.y + box!.height, what).toBeLessThanOrEqual(SCREEN.height);
}

test('with the demo scored, the metrics strip and the alpha slider are on the first 1600x1000 screen', async ({ page }) => {
  test.setTimeout(400_000);
  await page.setViewportSize(SCREEN);
  await page.goto('/');
  // DICE needs a threshold from a validation case, so test and validation cases are both scored by then.
  await expect(page.getByTestId('strip-dice')).toHaveText(/\d/, { timeout: 300_000 });
  await expect(page.getByTestId('strip-auprc')).toHaveText(/\d/);
  await expect(page.getByTestId('strip-threshold')).toContainText('validation search');
  await expectOnFirstScreen(page.getByTestId('results-strip'), 'metrics strip');
  await expectOnFirstScreen(page.getByTestId('alpha-slider'), 'alpha slider');
  await expectOnFirstScreen(page.getByTestId('noise-level-input'), 'noise level');
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: `${screensDir}first-screen-demo.png` });
  // The compare strip of the viewed demo case (its scan, the model's blurry reconstruction and the FQ map), for a look.
  await expect(page.getByTestId('compare-strip-note')).toContainText('blurry');
  await expect.poll(() => page.getByTestId('compare-strip-map').evaluate((canvas) => (canvas as HTMLCanvasElement).width), { timeout: 60_000 }).toBe(96);
  await page.getByTestId('compare-strip').scrollIntoViewIfNeeded();
  await page.locator('.viewer-pane').screenshot({ path: `${screensDir}compare-strip-demo.png` });
});
