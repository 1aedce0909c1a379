// Browser tests of the workbench: dropping NIfTI files, the viewer, refusals, privacy, backend fallback, and the train-infer-sweep-export flow.
// Each opens the page with ?demo=off: these tests bring their own files, and the demo (e2e/demo.spec.ts) would compete for the CPU.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './chromium.ts';
import { readNifti } from '../src/core/nifti/index.ts';
import { CLI_PREFIX } from '../src/ui/export/cliCommand.ts';
import { percent } from '../src/ui/format.ts';
import { syntheticCase, syntheticSet } from './helpers/syntheticNifti.ts';
import { canvasContentFraction, dropFiles, expectCanvasNotEmpty, openPanel, watchRequests, type NamedBytes } from './helpers/page.ts';

const sharedData = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const hasSharedData = existsSync(sharedData);
const screensDir = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  await page.screenshot({ path: `${screensDir}${name}.png`, fullPage: false });
}

/** The per-seed numbers of `fqlab evaluate`'s report that the page shows. */
interface ReportSeed {
  dice: number | null;
  auprc: number | null;
  auroc: number | null;
  threshold: number;
}

/**
 * Runs the page's "copy CLI command" with this checkout's bin in place of npx, in a folder holding the dropped files
 * (syntheticSet) and the model under the name the command gives it (the Checkpoint button's download).
 */
function runCopiedCommand(command: string | null, checkpoint: Buffer): { perSeed: ReportSeed[] } {
  if (command === null || !command.startsWith(`${CLI_PREFIX} `)) throw new Error(`not an fqlab command: ${command}`);
  const args = command.slice(CLI_PREFIX.length + 1).split(' ');
  const folder = mkdtempSync(join(tmpdir(), 'fqlab-cli-'));
  for (const file of syntheticSet()) writeFileSync(join(folder, file.name), file.bytes);
  writeFileSync(join(folder, args[args.indexOf('--model') + 1]), checkpoint);
  const bin = fileURLToPath(new URL('../bin/fqlab.mjs', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [bin, ...args], { cwd: folder, encoding: 'utf8', timeout: 300_000 })) as { perSeed: ReportSeed[] };
}

function origin(page: Page): string {
  return new URL(page.url()).origin;
}

async function roleOf(page: Page, fileName: string): Promise<string> {
  return page.locator(`tr[data-file-name="${fileName}"]`).getByTestId('role-select').inputValue();
}

async function waitForCasesReady(page: Page, count: number, timeout = 120_000): Promise<void> {
  await expect(page.locator('.case-card.status-ready')).toHaveCount(count, { timeout });
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
});

test('synthetic volumes: roles guessed, cases conformed, the viewer shows the scan', async ({ page }) => {
  await page.goto('/?demo=off');
  const requests = watchRequests(page, origin(page));
  await dropFiles(page, syntheticSet());
  await expect(page.getByTestId('file-list').locator('tbody tr[data-file-name]')).toHaveCount(5, { timeout: 60_000 });
  expect(await roleOf(page, 'synthA_T2.nii')).toBe('image');
  expect(await roleOf(page, 'synthB_seg.nii')).toBe('segmentation');
  expect(await roleOf(page, 'synthC_seg.nii')).toBe('segmentation');
  await waitForCasesReady(page, 3);
  // Default splits: no lesions -> healthy-train; the first lesion case becomes validation, the next test.
  const splits = await page.getByTestId('split-select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
  expect(splits).toEqual(['healthy-train', 'validation', 'test']);
  await expectCanvasNotEmpty(page);
  await page.getByTestId('case-select').selectOption('synthb');
  await page.getByRole('button', { name: 'Multiplanar' }).click();
  await expectCanvasNotEmpty(page);
  await snap(page, '01-synthetic-multiplanar');

  // Editing a role rebuilds the cases: the segmentation as an image becomes its own case.
  await page.locator('tr[data-file-name="synthC_seg.nii"]').getByTestId('role-select').selectOption('image');
  await waitForCasesReady(page, 4);
  await page.locator('tr[data-file-name="synthC_seg.nii"]').getByTestId('role-select').selectOption('segmentation');
  await waitForCasesReady(page, 3);
  expect(requests.foreign()).toEqual([]);
});

test('refusals: a malformed file, a 4D volume and mismatched grids show the error banner; loaded data stays', async ({ page }) => {
  await page.goto('/?demo=off');
  const healthy = syntheticCase({ seed: 1 });
  await dropFiles(page, [{ name: 'synthA_T2.nii', bytes: healthy.image }]);
  await waitForCasesReady(page, 1);
  await expectCanvasNotEmpty(page);
  const before = await canvasContentFraction(page);

  // Garbage bytes named like a NIfTI file, through the file picker this time.
  await page.getByTestId('file-input').setInputFiles({ name: 'broken.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from('this is not a NIfTI file at all') });
  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  await expect(banner).toContainText('broken.nii.gz');
  await expect(page.locator('tr.rejected-row[data-file-name="broken.nii.gz"]')).toBeVisible();

  // A true 4D volume (3 frames) is refused.
  const fourD = syntheticCase({ seed: 4, frames: 3 });
  await dropFiles(page, [{ name: 'synthE_T2.nii', bytes: fourD.image }]);
  await expect(banner).toContainText('synthE_T2.nii', { timeout: 30_000 });

  // A segmentation on a different grid than its image: the case is refused, naming the file.
  const image = syntheticCase({ seed: 5 });
  const otherGrid = syntheticCase({ seed: 5, dims: [32, 32, 20], lesion: { centre: [0.5, 0.5, 0.5], radius: 3 } });
  await dropFiles(page, [
    { name: 'synthD_T2.nii', bytes: image.image },
    { name: 'synthD_seg.nii', bytes: otherGrid.segmentation! },
  ]);
  await expect(page.locator('.case-card[data-case-id="synthd"]')).toHaveClass(/status-error/, { timeout: 60_000 });
  await expect(banner).toContainText('synthD');
  await snap(page, '02-refusals');

  // What was loaded before is still there and still shown.
  await expect(page.locator('tr[data-file-name="synthA_T2.nii"]')).toBeVisible();
  await expect(page.locator('.case-card[data-case-id="syntha"]')).toHaveClass(/status-ready/);
  expect(await canvasContentFraction(page)).toBeGreaterThan(before * 0.5);
});

test.describe('real MRI from shared/data', () => {
  test.skip(!hasSharedData, `shared data not found at ${sharedData}; skipping the real-scan test`);

  test('real scans: roles guessed from names, cases conformed, viewer not empty', async ({ page }) => {
    await page.goto('/?demo=off');
    const requests = watchRequests(page, origin(page));
    const read = (path: string, name: string): NamedBytes => ({ name, bytes: readFileSync(`${sharedData}${path}`) });
    await dropFiles(page, [
      read('healthy/colin27_T1.nii.gz', 'colin27_T1.nii.gz'),
      read('healthy/colin27_T1_brainmask.nii.gz', 'colin27_T1_brainmask.nii.gz'),
      read('lesion/BraTS2013_pat0001/FLAIR_zscored.nii.gz', 'BraTS2013_pat0001_FLAIR.nii.gz'),
      read('lesion/BraTS2013_pat0001/brainmask.nii.gz', 'BraTS2013_pat0001_brainmask.nii.gz'),
      read('lesion/BraTS2013_pat0001/seg.nii.gz', 'BraTS2013_pat0001_seg.nii.gz'),
      read('lesion/MSLUB_patient07/T2.nii.gz', 'MSLUB_patient07_T2.nii.gz'),
      read('lesion/MSLUB_patient07/GOLD_STANDARD.nii.gz', 'MSLUB_patient07_GOLD_STANDARD.nii.gz'),
    ]);
    await expect(page.getByTestId('file-list').locator('tbody tr[data-file-name]')).toHaveCount(7, { timeout: 120_000 });
    expect(await roleOf(page, 'colin27_T1.nii.gz')).toBe('image');
    expect(await roleOf(page, 'colin27_T1_brainmask.nii.gz')).toBe('brain-mask');
    expect(await roleOf(page, 'BraTS2013_pat0001_seg.nii.gz')).toBe('segmentation');
    expect(await roleOf(page, 'MSLUB_patient07_GOLD_STANDARD.nii.gz')).toBe('segmentation');
    await waitForCasesReady(page, 3, 150_000);
    await expectCanvasNotEmpty(page);
    await snap(page, '03-real-axial');
    await page.getByTestId('case-select').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Multiplanar' }).click();
    await expectCanvasNotEmpty(page);
    await snap(page, '04-real-multiplanar-brats');
    expect(requests.foreign()).toEqual([]);
  });
});

test('privacy: no request leaves the page origin while working', async ({ page }) => {
  const seen: string[] = [];
  page.context().on('request', (r) => seen.push(r.url()));
  await page.goto('/?demo=off');
  await dropFiles(page, syntheticSet().slice(0, 3));
  await waitForCasesReady(page, 2);
  for (const title of ['Sweeps', 'Export', 'Diagnostics']) await openPanel(page, title);
  await expect(page.getByTestId('backend-label')).not.toHaveText('starting…', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Refresh' }).click();
  const pageOrigin = origin(page);
  const foreign = seen.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== pageOrigin);
  expect(seen.length).toBeGreaterThan(0);
  expect(foreign).toEqual([]);
});

test('without WebGPU the backend falls back and the label says so', async ({ playwright, baseURL }) => {
  // A browser of its own: no --enable-unsafe-webgpu and WebGPU switched off, for the page and its worker alike.
  const browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    args: [...chromiumArgs.filter((a) => a !== '--enable-unsafe-webgpu'), '--disable-features=WebGPU'],
  });
  try {
    const page = await browser.newPage({ baseURL });
    await page.addInitScript(() => {
      // Belt and braces for the page itself.
      Reflect.deleteProperty(Navigator.prototype, 'gpu');
    });
    await page.goto('/?demo=off');
    const label = page.getByTestId('backend-label');
    await expect(label).not.toHaveText('starting…', { timeout: 60_000 });
    await expect(label).not.toHaveText(/^webgpu/);
    await expect(label).toHaveText(/^(wasm|webgl|cpu)\b/);
    await expect(label).toContainText(/webgpu/i);
    await openPanel(page, 'Diagnostics');
    await snap(page, '05-no-webgpu-diagnostics');
  } finally {
    await browser.close();
  }
});

/** FQLAB_E2E_BACKEND=wasm|cpu|... pins the compute backend for the flow test (default: the workbench's auto choice). */
const flowBackend = process.env.FQLAB_E2E_BACKEND;

test('train a tiny model, run inference, rescore with alpha, sweep, export', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(flowBackend ? `/?demo=off&backend=${flowBackend}` : '/?demo=off');
  const requests = watchRequests(page, origin(page));
  await dropFiles(page, syntheticSet());
  await waitForCasesReady(page, 3);

  // Tiny preset, few steps: fits in about two minutes on a 2-core CPU.
  await page.getByTestId('preset-select').selectOption('tiny');
  for (const [id, value] of [['steps-input', '12'], ['batch-input', '2'], ['evaluate-every-input', '6']] as const) {
    await page.getByTestId(id).fill(value);
    await page.getByTestId(id).press('Enter');
  }
  await expect(page.getByTestId('air-stats')).toContainText('μn');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('progress-bar')).toBeVisible();
  // Pause holds the step count; resume carries on.
  await expect(page.getByTestId('progress-bar')).not.toHaveAttribute('aria-valuenow', '0', { timeout: 120_000 });
  await page.getByTestId('pause-button').click();
  await expect(page.getByTestId('resume-button')).toBeVisible();
  await page.waitForTimeout(1500);
  const pausedAt = await page.getByTestId('progress-bar').getAttribute('aria-valuenow');
  await page.waitForTimeout(3000);
  await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', pausedAt ?? '');
  await snap(page, '06-training-paused');
  await page.getByTestId('resume-button').click();
  await expect(page.getByTestId('model-info')).toBeVisible({ timeout: 240_000 });
  await expect(page.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '12');
  await snap(page, '07-trained');

  await page.getByTestId('noise-level-input').fill('500');
  await page.getByTestId('noise-level-input').press('Enter');
  await page.getByTestId('run-inference').click();
  await expect(page.getByTestId('metric-auprc')).toHaveText(/\d/, { timeout: 240_000 });
  await expect(page.getByTestId('metric-dice')).not.toHaveText('', { timeout: 10_000 });
  const firstInfo = await page.getByTestId('threshold-info').textContent();
  const firstTable = await page.getByTestId('metric-table').textContent();

  // Alpha rescoring from cached reconstructions: several quick moves, the last one wins.
  const slider = page.getByTestId('alpha-slider');
  for (const value of ['0.2', '0.4', '0']) await slider.fill(value);
  await expect(slider).toHaveValue('0');
  await expect(page.getByTestId('threshold-info')).not.toHaveText(firstInfo ?? '', { timeout: 60_000 });
  // The per-case metrics (DICE, AUPRC, AUROC, oracle Dice) follow the new maps.
  await expect(page.getByTestId('metric-table')).not.toHaveText(firstTable ?? '', { timeout: 60_000 });

  // Overlays on the viewer: the FQ map and the prediction on a lesion case.
  await page.getByTestId('case-select').selectOption('synthc');
  await page.getByTestId('overlay-select').selectOption('fq');
  await expectCanvasNotEmpty(page);
  // The crosshair readout lists every layer's value at the clicked voxel.
  const canvas = page.locator('canvas.viewer-canvas');
  const box = await canvas.boundingBox();
  if (box) await canvas.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await expect(page.getByTestId('crosshair-readout')).toContainText('FQ map', { timeout: 30_000 });
  await expect(page.getByTestId('crosshair-readout')).toContainText('Scan');
  await snap(page, '08-inference-fq-overlay');

  // Checkpoints: download one, load it back as a file, and keep/restore a copy in IndexedDB.
  const checkpointPromise = page.waitForEvent('download');
  await page.getByTestId('checkpoint-download').click();
  const checkpoint = readFileSync(await (await checkpointPromise).path());
  expect(checkpoint.length).toBeGreaterThan(1000);
  await page.getByTestId('checkpoint-input').setInputFiles({ name: 'model.fqlab', mimeType: 'application/octet-stream', buffer: checkpoint });
  await expect(page.getByTestId('model-info')).toContainText('tiny');
  await page.getByRole('button', { name: 'Keep in this browser' }).click();
  const stored = page.getByRole('combobox', { name: 'Checkpoints kept in this browser' });
  await expect(stored.locator('option')).not.toHaveText(['none kept yet']);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  // Sweep a 2 x 2 grid; a click on a cell moves the sliders.
  await openPanel(page, 'Sweeps');
  await page.getByTestId('sweep-alphas').fill('0.5, 0.84');
  await page.getByTestId('sweep-noise-levels').fill('250, 500');
  await page.getByTestId('sweep-button').click();
  await expect(page.getByTestId('sweep-table').locator('tbody tr')).toHaveCount(4, { timeout: 400_000 });
  await page.getByTestId('sweep-table').locator('tbody tr', { hasText: '0.84' }).first().click();
  await expect(slider).toHaveValue('0.84');
  await snap(page, '09-sweep');

  // Export the FQ map on the original grid as .nii.gz.
  await openPanel(page, 'Export');
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('export-button').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/\.nii\.gz$/);
  const path = await download.path();
  const bytes = readFileSync(path);
  expect(bytes[0]).toBe(0x1f);
  expect(bytes[1]).toBe(0x8b);
  // It parses as NIfTI on the dropped image's own grid (64 x 64 x 40), not the 96 x 96 x 50 model grid.
  const exported = readNifti(bytes, download.suggestedFilename()).volume;
  expect(exported.dims).toEqual([64, 64, 40]);
  expect(exported.data.some((v) => v > 0)).toBe(true);
  // Its full provenance is one more click away; the CLI command names the checkpoint's download name and the files.
  const sidecarPromise = page.waitForEvent('download');
  await page.getByTestId('export-provenance').click();
  const sidecar = JSON.parse(readFileSync(await (await sidecarPromise).path(), 'utf8')) as Record<string, unknown>;
  expect(sidecar).toMatchObject({ layer: 'fq', method: 'pddpm', preset: 'tiny', alpha: 0.84, thresholdSource: 'validation-search', checkpoint: expect.stringMatching(/^model-/) });
  await expect(page.getByTestId('cli-command')).toHaveText(
    /^npx fqlab evaluate --model fqlab-pddpm-tiny-fq-step\d+\.fqlab --val synthB_T2\.nii synthB_seg\.nii --test synthC_T2\.nii synthC_seg\.nii --noise-level \d+ --alpha 0\.84 --score fq --seeds \d+ --modality T2$/,
  );
  // Run in Node where the model and scan files are, the copied command gives the page's numbers (its perSeed[seed]).
  await expect(page.getByTestId('results-strip')).not.toHaveClass(/updating/, { timeout: 60_000 });
  const pageNumbers = await Promise.all(['strip-dice', 'strip-auprc', 'strip-auroc', 'strip-threshold'].map((id) => page.getByTestId(id).textContent()));
  const report = runCopiedCommand(await page.getByTestId('cli-command').textContent(), checkpoint);
  const seed = report.perSeed.length - 1;
  const { dice, auprc, auroc, threshold } = report.perSeed[seed];
  expect(pageNumbers.slice(0, 3)).toEqual([dice, auprc, auroc].map((v) => percent(v)));
  expect(pageNumbers[3]).toMatch(new RegExp(`^${threshold.toPrecision(3).replace('.', '\\.')} `));

  const pngPromise = page.waitForEvent('download');
  await page.getByTestId('export-png').click();
  expect((await pngPromise).suggestedFilename()).toMatch(/\.png$/);
  expect(requests.foreign()).toEqual([]);
});
