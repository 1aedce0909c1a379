// Browser-test helpers: drop files onto the drop zone, check the viewer canvas has content, and watch network requests.
import { expect, type Page } from '@playwright/test';

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** Dispatches a real DataTransfer drop on the drop zone with File objects built in the page from these bytes. */
export async function dropFiles(page: Page, files: readonly NamedBytes[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString('base64') }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      transfer.items.add(new File([bytes], item.name, { type: 'application/octet-stream' }));
    }
    return transfer;
  }, payload);
  const zone = page.getByTestId('drop-zone');
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await dataTransfer.dispose();
}

/** Fraction of the viewer canvas's pixels that are clearly brighter than its dark background (from a real screenshot). */
export async function canvasContentFraction(page: Page): Promise<number> {
  const png = await page.locator('canvas.viewer-canvas').screenshot();
  return page.evaluate(async (base64) => {
    const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
    const bitmap = await createImageBitmap(blob);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) return 0;
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    let bright = 0;
    for (let p = 0; p < data.length; p += 4) if (data[p] + data[p + 1] + data[p + 2] > 150) bright++;
    return bright / (data.length / 4);
  }, png.toString('base64'));
}

/** Waits until the viewer canvas shows something (the scan), failing after the timeout. */
export async function expectCanvasNotEmpty(page: Page, timeout = 60_000): Promise<void> {
  await expect.poll(() => canvasContentFraction(page), { timeout, message: 'viewer canvas should show the scan' }).toBeGreaterThan(0.02);
}

/** Records every request the page (and its workers) make; `foreign()` lists those leaving the page's origin. */
export function watchRequests(page: Page, origin: string): { all: string[]; foreign: () => string[] } {
  const all: string[] = [];
  page.context().on('request', (request) => all.push(request.url()));
  return {
    all,
    foreign: () => all.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin),
  };
}

/** Opens a collapsed sidebar panel by its title. */
export async function openPanel(page: Page, title: string): Promise<void> {
  const panel = page.locator('details.panel', { has: page.locator('summary', { hasText: title }) });
  if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click();
}
