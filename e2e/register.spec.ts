// Browser test of "register and skull-strip": a raw (skull-on) scan without a mask is registered in the page and gets the template's mask.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { readNifti, writeNifti } from '../src/core/nifti/index.ts';
import { resampleThrough, TEMPLATE_FILES, warpTemplateMask } from '../src/core/registration/index.ts';
import type { Volume } from '../src/core/volume.ts';
import { dropFiles, expectCanvasNotEmpty, watchRequests } from './helpers/page.ts';

const templateDir = fileURLToPath(new URL('../public/templates/', import.meta.url));
const readTemplate = (name: string): Volume => readNifti(new Uint8Array(readFileSync(`${templateDir}${name}`)), name).volume;

/**
 * A small raw-looking scan made from the shipped skull-on template: an LAS grid of 3 mm voxels, the head turned by
 * 10 degrees about z and 6 about x and shifted, scaled to scanner-like values with noise in the background (so it
 * reads as a raw scan, not a skull-stripped one). Returns its bytes and the true brain mask on its grid.
 */
function rawScan(): { bytes: Uint8Array; truth: Volume } {
  const head = readTemplate(TEMPLATE_FILES.head);
  const [a, b] = [(10 * Math.PI) / 180, (6 * Math.PI) / 180];
  // scan point -> template point: Rz(a) * Rx(b) plus a shift (mm).
  const scanToTemplate = [
    Math.cos(a), -Math.sin(a) * Math.cos(b), Math.sin(a) * Math.sin(b), 7,
    Math.sin(a), Math.cos(a) * Math.cos(b), -Math.cos(a) * Math.sin(b), -9,
    0, Math.sin(b), Math.cos(b), 5,
    0, 0, 0, 1,
  ];
  const grid = { dims: [64, 76, 60] as const, affine: Float64Array.from([-3, 0, 0, 96, 0, 3, 0, -118, 0, 0, 3, -82, 0, 0, 0, 1]) };
  const scan = resampleThrough(head, grid, scanToTemplate, 'linear');
  let seed = 7;
  const noise = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 20;
  const data = scan.data.map((v) => 800 * v + noise());
  const bytes = writeNifti({ ...scan, data }, { datatype: 'float32', gzip: true });
  return { bytes, truth: warpTemplateMask(readTemplate(TEMPLATE_FILES.brainMask), grid, scanToTemplate) };
}

test('a raw scan without a mask: register and skull-strip gives the template mask on the scan, outlined in the viewer', async ({ page }) => {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.goto('/?demo=off');
  const requests = watchRequests(page, new URL(page.url()).origin);
  const { bytes, truth } = rawScan();
  await dropFiles(page, [{ name: 'rawscan_T1.nii.gz', bytes }]);
  const card = page.locator('.case-card[data-case-id="rawscan"]');
  await expect(card).toHaveClass(/status-ready/, { timeout: 60_000 });

  await card.getByTestId('register-button').click();
  await expect(card.getByTestId('registration-outcome')).toContainText('skull-on', { timeout: 150_000 });
  const maskRow = page.locator('tr[data-file-name="rawscan_T1_brainmask_registered.nii.gz"]');
  await expect(maskRow.getByTestId('role-select')).toHaveValue('brain-mask');
  await expect(card).toHaveClass(/status-ready/, { timeout: 60_000 });
  await expect(card.getByTestId('register-button')).toHaveCount(0);
  // The visual check: the scan as loaded (skull and all) with the mask outlined; then the conformed case with it.
  await expect(page.getByTestId('native-check-viewer')).toBeVisible();
  await expectCanvasNotEmpty(page);
  await page.screenshot({ path: fileURLToPath(new URL('../test-results/screens/register-native-check.png', import.meta.url)) });
  await page.getByTestId('native-check-toggle').uncheck();
  await expect(page.getByTestId('native-check-viewer')).toHaveCount(0);
  await expect(page.getByTestId('brain-mask-toggle')).toBeChecked();
  await expectCanvasNotEmpty(page);

  const download = page.waitForEvent('download');
  await card.getByTestId('save-registered-mask').click();
  const saved = readFileSync(await (await download).path());
  const mask = readNifti(new Uint8Array(saved), 'mask').volume;
  expect(mask.dims).toEqual(truth.dims);
  let both = 0;
  let sum = 0;
  for (let i = 0; i < mask.data.length; i++) {
    both += mask.data[i] && truth.data[i] ? 1 : 0;
    sum += (mask.data[i] ? 1 : 0) + (truth.data[i] ? 1 : 0);
  }
  expect((2 * both) / sum).toBeGreaterThan(0.9);
  expect(requests.foreign()).toEqual([]);
});
