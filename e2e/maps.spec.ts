// Browser tests of the map overlays: every map is drawn inside the brain only (its background stays transparent), with
// its colour scale beside the image, the compare strip follows the viewer's slice, and an alpha move redraws the FQ map
// without reloading any layer but the prediction; screenshots of each overlay go to test-results/screens/ for a look.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { syntheticSet } from './helpers/syntheticNifti.ts';
import { dropFiles } from './helpers/page.ts';

const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));
const demoModel = fileURLToPath(new URL('../public/demo/models/pddpm-iqa.fqlab', import.meta.url));

interface DiffBox {
  count: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

async function canvasShot(page: Page, name?: string): Promise<string> {
  const png = await page.locator('canvas.viewer-canvas').screenshot();
  if (name) {
    mkdirSync(screensDir, { recursive: true });
    await page.locator('.viewer-stage').screenshot({ path: `${screensDir}${name}.png` });
  }
  return png.toString('base64');
}

/** Pixels that differ (by more than a little, any channel) between two canvas screenshots, and their bounding box. */
async function diffBox(page: Page, a: string, b: string): Promise<DiffBox> {
  return page.evaluate(async ([first, second]) => {
    const pixels = async (base64: string) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [x, y] = [await pixels(first), await pixels(second)];
    const box = { count: 0, minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
    for (let p = 0; p < x.data.length; p += 4) {
      const differs = Math.abs(x.data[p] - y.data[p]) + Math.abs(x.data[p + 1] - y.data[p + 1]) + Math.abs(x.data[p + 2] - y.data[p + 2]) > 12;
      if (!differs) continue;
      const px = (p / 4) % x.width;
      const py = Math.floor(p / 4 / x.width);
      box.count++;
      box.minX = Math.min(box.minX, px);
      box.maxX = Math.max(box.maxX, px);
      box.minY = Math.min(box.minY, py);
      box.maxY = Math.max(box.maxY, py);
    }
    return box;
  }, [a, b] as const);
}

/** Pixels of the compare strip's reconstruction and map panels that differ from its scan panel (null: not drawn yet). */
async function stripDifferences(page: Page): Promise<{ reconstruction: number; map: number } | null> {
  return page.evaluate(() => {
    const pixels = (testId: string) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${testId}"]`);
      // Drawn once it holds the conformed grid's 96 x 96 slice (a blank canvas is 300 x 150).
      return canvas && canvas.width === 96 ? canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data : null;
    };
    const [scan, reconstruction, map] = ['compare-strip-scan', 'compare-strip-reconstruction', 'compare-strip-map'].map(pixels);
    if (!scan || !reconstruction || !map) return null;
    const differing = (other: Uint8ClampedArray) => {
      let count = 0;
      for (let p = 0; p < scan.length; p += 4) if (Math.abs(scan[p] - other[p]) + Math.abs(scan[p + 1] - other[p + 1]) + Math.abs(scan[p + 2] - other[p + 2]) > 12) count++;
      return count;
    };
    return { reconstruction: differing(reconstruction), map: differing(map) };
  });
}

/**
 * Records, from the page's first script on, the layer of every getLayer call the page sends its workers (comlink
 * 'APPLY' messages); the returned function reads them.
 */
async function watchLayerRequests(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const requested: string[] = [];
    (globalThis as { fqlabLayerRequests?: string[] }).fqlabLayerRequests = requested;
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      const message = args[0] as { type?: unknown; path?: unknown[]; argumentList?: { value?: { layer?: unknown } }[] } | null;
      if (message?.type === 'APPLY' && message.path?.[0] === 'getLayer') requested.push(String(message.argumentList?.[0]?.value?.layer));
      return post.apply(this, args);
    } as Worker['postMessage'];
  });
  return () => page.evaluate(() => [...((globalThis as { fqlabLayerRequests?: string[] }).fqlabLayerRequests ?? [])]);
}

/** Moves the alpha slider and waits for the study's metrics and for the prediction outline's reload (the viewer's last). */
async function moveAlpha(page: Page, alpha: string, layerRequests: () => Promise<string[]>): Promise<string[]> {
  const before = (await layerRequests()).length;
  const table = await page.getByTestId('metric-table').textContent();
  await page.getByTestId('alpha-slider').fill(alpha);
  await expect(page.getByTestId('metric-table')).not.toHaveText(table ?? '', { timeout: 120_000 });
  await expect(page.getByTestId('metrics-updating')).toHaveCount(0, { timeout: 60_000 });
  await expect.poll(async () => (await layerRequests()).slice(before), { timeout: 30_000 }).toContain('prediction');
  return (await layerRequests()).slice(before);
}

test('every map overlay is drawn inside the brain only, with its colour scale beside the image', async ({ page }) => {
  test.setTimeout(400_000);
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  const layerRequests = await watchLayerRequests(page);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto('/?demo=off');
  await dropFiles(page, syntheticSet());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(3, { timeout: 120_000 });
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'pddpm-iqa.fqlab', mimeType: 'application/octet-stream', buffer: readFileSync(demoModel) });
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('run-inference').click();
  await expect(page.getByTestId('metric-auprc')).toHaveText(/\d/, { timeout: 300_000 });
  // The strip above the viewer shows the same means and the threshold with its source.
  await expect(page.getByTestId('strip-auprc')).toHaveText((await page.getByTestId('metric-auprc').textContent())?.split(' ')[0] ?? '');
  await expect(page.getByTestId('strip-threshold')).toContainText('validation search');
  // Per-case rows are grouped by split.
  await expect(page.getByTestId('metric-group-test')).toContainText('synthc');
  await expect(page.getByTestId('metric-group-validation')).toContainText('synthb');
  await expect(page.getByTestId('metric-group-test')).not.toContainText('synthb');

  // After inference the viewer jumps to the first test case with a lesion, its FQ map, inside the lesion.
  await expect(page.getByTestId('case-select')).toHaveValue('synthc', { timeout: 30_000 });
  await expect(page.getByTestId('overlay-select')).toHaveValue('fq');
  const groundTruthRow = page.getByTestId('crosshair-readout').locator('tr', { hasText: 'Ground-truth outline' });
  await expect(groundTruthRow.locator('td')).toHaveText('1', { timeout: 30_000 });
  await canvasShot(page, 'after-inference-jump');

  // The compare strip: scan | reconstruction | FQ map of the viewer's slice, and it follows the viewer to the next slice.
  const strip = page.getByTestId('compare-strip');
  await expect(strip).toContainText('blurry');
  const voxelK = async () => Number((await page.getByTestId('crosshair-readout').locator('.mono').first().textContent())?.split(', ')[2]);
  await expect(strip).toHaveAttribute('data-slice', String(await voxelK()));
  await expect.poll(() => stripDifferences(page), { timeout: 30_000 }).not.toBeNull();
  const differences = (await stripDifferences(page))!;
  expect(differences.reconstruction, 'the reconstruction differs from the scan').toBeGreaterThan(50);
  expect(differences.map, 'the FQ map shows inside the lesion').toBeGreaterThan(10);
  mkdirSync(screensDir, { recursive: true });
  await page.locator('.viewer-pane').screenshot({ path: `${screensDir}compare-strip.png` });
  const before = await voxelK();
  // NiiVue moves the crosshair one slice up on Ctrl+U while the pointer is over the canvas.
  await page.locator('canvas.viewer-canvas').hover();
  await page.locator('canvas.viewer-canvas').press('Control+KeyU');
  await expect.poll(voxelK, { timeout: 30_000 }).not.toBe(before);
  await expect(strip).toHaveAttribute('data-slice', String(await voxelK()));
  // Back to the lesion's largest slice for the overlay checks and screenshots below.
  await page.locator('canvas.viewer-canvas').press('Control+KeyD');
  await expect.poll(voxelK, { timeout: 30_000 }).toBe(before);

  await page.getByTestId('case-select').selectOption('synthc');
  await page.getByTestId('crosshair-toggle').uncheck();
  await page.getByTestId('overlay-select').selectOption('none');
  // The scan alone (with its ground-truth outline), then with the brain mask outlined: that outline bounds the brain.
  await page.waitForTimeout(1000);
  const plain = await canvasShot(page, 'map-none');
  await page.getByTestId('brain-mask-toggle').check();
  await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 30_000 }).toBeGreaterThan(50);
  const brain = await diffBox(page, plain, await canvasShot(page, 'map-brain-mask'));
  await page.getByTestId('brain-mask-toggle').uncheck();
  await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 30_000 }).toBe(0);

  for (const overlay of ['fq', 'ssim-loss', 'l1', 'reconstruction'] as const) {
    await page.getByTestId('overlay-select').selectOption(overlay);
    await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 60_000, message: `${overlay} should draw` }).toBeGreaterThan(50);
    await page.waitForTimeout(500);
    const drawn = await diffBox(page, plain, await canvasShot(page, `map-${overlay}`));
    // Nothing outside the brain's outline changes: the background of the map is transparent.
    expect(drawn.minX, overlay).toBeGreaterThanOrEqual(brain.minX - 2);
    expect(drawn.maxX, overlay).toBeLessThanOrEqual(brain.maxX + 2);
    expect(drawn.minY, overlay).toBeGreaterThanOrEqual(brain.minY - 2);
    expect(drawn.maxY, overlay).toBeLessThanOrEqual(brain.maxY + 2);
    if (overlay !== 'reconstruction') await expect(page.getByTestId('map-window')).toContainText('window 0 –');
  }
  // The colour scale sits beside the canvas, not over it.
  await page.getByTestId('overlay-select').selectOption('fq');
  const canvasBox = await page.locator('canvas.viewer-canvas').boundingBox();
  const barBox = await page.getByTestId('map-colorbar').boundingBox();
  expect(barBox && canvasBox && barBox.x >= canvasBox.x + canvasBox.width - 1).toBe(true);
  await page.waitForTimeout(1000);
  const withoutCrosshair = await canvasShot(page);
  // The crosshair is a thin line pair: a few pixels wide across the image, no more.
  await page.getByTestId('crosshair-toggle').check();
  await expect.poll(async () => (await diffBox(page, withoutCrosshair, await canvasShot(page))).count, { timeout: 30_000 }).toBeGreaterThan(100);
  const crosshair = await diffBox(page, withoutCrosshair, await canvasShot(page));
  expect(crosshair.count).toBeLessThan(4 * ((canvasBox?.width ?? 0) + (canvasBox?.height ?? 0)));
  await page.getByTestId('prediction-toggle').check();
  await page.waitForTimeout(1500);
  await canvasShot(page, 'map-fq-prediction-crosshair');

  // The two outlines on the scan alone, for a look: the prediction (the thresholded map), then the ground truth.
  await page.getByTestId('crosshair-toggle').uncheck();
  await page.getByTestId('overlay-select').selectOption('none');
  const groundTruth = page.getByRole('checkbox', { name: 'ground truth' });
  await groundTruth.uncheck();
  await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 30_000 }).toBeGreaterThan(20);
  await page.waitForTimeout(500);
  await canvasShot(page, 'map-prediction');
  await page.getByTestId('prediction-toggle').uncheck();
  await groundTruth.check();
  await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 30_000 }).toBe(0);
  await canvasShot(page, 'map-outline');
  await page.getByTestId('prediction-toggle').check();

  // Alpha moves: the layers that do not depend on alpha are never requested again, and the viewed case's FQ map comes
  // with the score reply, written into its volume in place (also while another overlay is shown); only the prediction
  // outline, which needs the study's new threshold, is requested.
  await page.getByTestId('crosshair-toggle').uncheck();
  await page.getByTestId('overlay-select').selectOption('l1');
  await expect.poll(async () => (await diffBox(page, plain, await canvasShot(page))).count, { timeout: 60_000 }).toBeGreaterThan(50);
  expect(await moveAlpha(page, '0.5', layerRequests)).toEqual(['prediction']);
  await page.getByTestId('overlay-select').selectOption('fq');
  await page.waitForTimeout(1000);
  const fqBefore = await canvasShot(page);
  expect(await moveAlpha(page, '0.1', layerRequests)).toEqual(['prediction']);
  await expect.poll(async () => (await diffBox(page, fqBefore, await canvasShot(page))).count, { timeout: 30_000, message: 'the FQ map should redraw for the new alpha' }).toBeGreaterThan(50);
  await canvasShot(page, 'map-fq-alpha-0.1');
});
