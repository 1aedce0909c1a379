// Browser tests of the other scan formats: a DICOM folder and DICOM files (dcm2niix WASM), MHA and NRRD (itk-wasm), read in
// the page's worker from this origin only, to the very numbers the CLI gets from the same files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { readNifti } from '../src/core/nifti/index.ts';
import { dropFiles, watchRequests } from './helpers/page.ts';

const fixtures = fileURLToPath(new URL('../tests/fixtures/formats/', import.meta.url));
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtures, name)));
const dicomNames = readdirSync(join(fixtures, 'dicom')).sort();

function row(page: Page, fileName: string) {
  return page.locator(`tr[data-file-name="${fileName}"]`);
}

/** Light gray pixels on the viewer canvas: the scan, not the (blue) crosshair or the dark background. */
async function scanPixels(page: Page): Promise<number> {
  const png = await page.locator('canvas.viewer-canvas').screenshot();
  return page.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) return 0;
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    let gray = 0;
    for (let p = 0; p < data.length; p += 4) if (Math.min(data[p], data[p + 1], data[p + 2]) > 100) gray++;
    return gray;
  }, png.toString('base64'));
}

/** The 20 x 18 x 20 mm fixture fills a small patch of the conformed 96 x 96 x 50 view (the usual 2% check would fail). */
async function expectScanShown(page: Page): Promise<void> {
  await expect.poll(() => scanPixels(page), { timeout: 60_000, message: 'viewer canvas should show the scan' }).toBeGreaterThan(100);
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
});

test('a chosen DICOM folder, dropped DICOM files, an MHA and an NRRD load and show in the viewer; nothing leaves the origin', async ({ page }) => {
  await page.goto('/?demo=off');
  const requests = watchRequests(page, new URL(page.url()).origin);

  // The folder chooser (webkitdirectory) gives each file its path: one series per folder, named after it.
  await page.getByTestId('folder-input').setInputFiles(join(fixtures, 'dicom'));
  await expect(row(page, 'dicom/3_T2_synthetic')).toContainText('16×12×8', { timeout: 60_000 });
  await expect(page.locator('.case-card.status-ready')).toHaveCount(1, { timeout: 60_000 });
  await expectScanShown(page);

  // Loose DICOM files dropped with other scans: the DICOM files form one series, the MHA and NRRD load one by one.
  await dropFiles(page, [
    ...dicomNames.map((name) => ({ name, bytes: fixture(`dicom/${name}`) })),
    { name: 'sub02_flair.mha', bytes: fixture('scan.mha') },
    { name: 'sub03_t2.nrrd', bytes: fixture('scan.nrrd') },
    { name: 'notes.txt', bytes: new TextEncoder().encode('not a scan') },
  ]);
  await expect(row(page, '3_T2_synthetic')).toContainText('16×12×8', { timeout: 60_000 });
  await expect(row(page, 'sub02_flair.mha')).toContainText('16×12×8');
  await expect(row(page, 'sub03_t2.nrrd')).toContainText('16×12×8');
  await expect(row(page, 'notes.txt')).toContainText(/refused: is not a scan file fqlab reads .*convert it or drop the right file/);
  await expect(page.locator('.case-card.status-ready')).toHaveCount(4, { timeout: 60_000 });
  expect(requests.foreign()).toEqual([]);
  expect(requests.all.some((url) => url.includes('/itk-wasm/pipelines/meta-read-image.wasm.zst'))).toBe(true);
});

test('the browser conforms a DICOM series and an MHA to exactly the numbers of `fqlab conform`', async ({ page }) => {
  const outDir = mkdtempSync(join(tmpdir(), 'fqlab-e2e-formats-'));
  const cliConformed = (input: string, name: string): Float32Array => {
    const cli = spawnSync(process.execPath, ['bin/fqlab.mjs', 'conform', '--image', join(fixtures, input), '--out-dir', join(outDir, name)], { encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    const path = (JSON.parse(cli.stdout) as { outputs: { image: string } }).outputs.image;
    return readNifti(readFileSync(path), path).volume.data;
  };

  await page.goto('/e2e/harness.html');
  await expect(page.locator('#status')).toHaveText('ready');
  const series = dicomNames.map((name) => ({ path: `dicom/${name}`, bytes: Array.from(fixture(`dicom/${name}`)) }));
  const layers = await page.evaluate(
    async ({ series, mha }) => {
      const client = window.fqlabHarness?.client;
      if (!client) throw new Error('harness client missing');
      const [dicom] = await client.loadDicomSeries('dicom', series.map((f) => ({ path: f.path, bytes: new Uint8Array(f.bytes) })));
      const meta = await client.loadFile('scan.mha', new Uint8Array(mha).buffer);
      await client.defineCase({ caseId: 'dicom', imageFileId: dicom.fileId, modality: 'T2', split: 'test' });
      await client.defineCase({ caseId: 'mha', imageFileId: meta.fileId, modality: 'T2', split: 'test' });
      // base64: a 1.8 MB layer as a JSON array of numbers would take Playwright half a minute to hand over
      const image = async (caseId: string) => {
        const { bytes } = await client.getLayer({ caseId, layer: 'image' });
        let binary = '';
        for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
        return btoa(binary);
      };
      return { dicom: await image('dicom'), mha: await image('mha'), dicomInfo: dicom, mhaInfo: meta };
    },
    { series, mha: Array.from(fixture('scan.mha')) },
  );
  expect(layers.dicomInfo).toMatchObject({ fileName: 'dicom/3_T2_synthetic', source: 'dicom', dims: [16, 12, 8], orientation: 'LAS', min: 4, max: 1214 });
  expect(layers.mhaInfo).toMatchObject({ source: 'metaimage', dims: [16, 12, 8], orientation: 'LPS', min: 4, max: 1214 });
  const browserImage = (base64: string) => readNifti(new Uint8Array(Buffer.from(base64, 'base64')), 'layer.nii').volume.data;
  expect(browserImage(layers.dicom)).toEqual(cliConformed('dicom', 'dicom'));
  expect(browserImage(layers.mha)).toEqual(cliConformed('scan.mha', 'mha'));
});
