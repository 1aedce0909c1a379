// Browser tests of persistence: a reload mid-training restores files, cases and settings and resumes training to the
// same loss as an uninterrupted run; compared models and their settings come back; "clear everything stored" empties
// the browser's storage.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { syntheticCase } from './helpers/syntheticNifti.ts';
import { dropFiles, openPanel, type NamedBytes } from './helpers/page.ts';

/** One healthy volume and one validation lesion case: enough to train, small enough to conform quickly. */
function trainingSet(): NamedBytes[] {
  const healthy = syntheticCase({ seed: 1 });
  const valCase = syntheticCase({ seed: 2, lesion: { centre: [0.35, 0.45, 0.5], radius: 6 } });
  return [
    { name: 'synthA_T2.nii', bytes: healthy.image },
    { name: 'synthB_T2.nii', bytes: valCase.image },
    { name: 'synthB_seg.nii', bytes: valCase.segmentation! },
  ];
}

const STEPS = 4;

async function fill(page: Page, testId: string, value: string): Promise<void> {
  await page.getByTestId(testId).fill(value);
  await page.getByTestId(testId).press('Enter');
}

/** Opens an empty workbench in a fresh browser profile, drops the set and sets tiny training settings. */
async function preparedPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.goto('/?demo=off');
  await dropFiles(page, trainingSet());
  await expect(page.locator('.case-card.status-ready')).toHaveCount(2, { timeout: 120_000 });
  // A split chosen by hand (the default for a lone lesion case is test) must survive the reload.
  await page.locator('.case-card[data-case-id="synthb"]').getByTestId('split-select').selectOption('validation');
  await expect(page.locator('.case-card.status-ready')).toHaveCount(2, { timeout: 120_000 });
  await page.getByTestId('preset-select').selectOption('tiny');
  for (const [id, value] of [['steps-input', String(STEPS)], ['batch-input', '2'], ['evaluate-every-input', '0'], ['autosave-every-input', '2']] as const) {
    await fill(page, id, value);
  }
  return page;
}

async function finalLoss(page: Page): Promise<string> {
  const bar = page.getByTestId('progress-bar');
  await expect(page.getByTestId('train-button')).toHaveText('Train', { timeout: 240_000 });
  await expect(bar).toHaveAttribute('aria-valuenow', String(STEPS));
  return (await bar.getAttribute('data-exact')) ?? '';
}

test('a reload mid-training restores the workbench and resumes to the loss of an uninterrupted run', async ({ browser }) => {
  test.setTimeout(600_000);
  const straight = await preparedPage(browser);
  await straight.getByTestId('train-button').click();
  const uninterruptedLoss = await finalLoss(straight);
  expect(Number(uninterruptedLoss)).toBeGreaterThan(0);
  await straight.context().close();

  const page = await preparedPage(browser);
  const backendLabel = page.getByTestId('backend-label');
  await expect(backendLabel).not.toHaveText('starting…', { timeout: 60_000 });
  const backend = await backendLabel.textContent();
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('autosave-status')).toContainText(`step 2 of ${STEPS}`, { timeout: 240_000 });
  // Leaving while training is under way asks first.
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.reload();
  expect(dialogs).toEqual(['beforeunload']);

  // Files, roles, cases, splits and settings are back; the demo stays closed.
  await expect(page.getByTestId('file-list').locator('tbody tr[data-file-name]')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.locator('.case-card.status-ready')).toHaveCount(2, { timeout: 120_000 });
  const splits = await page.getByTestId('split-select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
  expect(splits).toEqual(['healthy-train', 'validation']);
  await expect(page.getByTestId('steps-input')).toHaveValue(String(STEPS));
  await expect(page.getByTestId('hint-intro')).toContainText('workspace from the last visit is back');
  await expect(page.getByTestId('model-info')).toContainText('step 2');
  // Restoring the model must not start tfjs before the backend is chosen (it would pin another backend).
  await expect(backendLabel).toHaveText(backend ?? '');

  const offer = page.getByTestId('resume-offer');
  await expect(offer).toContainText(`step 2 of ${STEPS}`);
  await page.getByTestId('resume-interrupted').click();
  expect(await finalLoss(page)).toBe(uninterruptedLoss);
  await expect(offer).toHaveCount(0);

  // The storage panel says how much is kept, and clearing empties it.
  await openPanel(page, 'Storage');
  const summary = page.getByTestId('storage-summary');
  await expect(summary).toContainText('3 files');
  await expect(summary).toContainText('the current model');
  await page.getByTestId('clear-storage').click();
  await expect(summary).toContainText('0 B stored');
  await page.reload();
  await expect(page.getByTestId('file-list').locator('tbody tr[data-file-name]')).toHaveCount(0);
});

/** What the test reads of the stored comparison. */
interface StoredComparisonSeen {
  rows: { origin: string; noiseLevel: number }[];
  seedCount: number;
}

/** The comparison part of the session the page stored (read straight from IndexedDB), or null. */
function storedComparison(page: Page): Promise<StoredComparisonSeen | null> {
  return page.evaluate(
    () =>
      new Promise<StoredComparisonSeen | null>((resolve, reject) => {
        const open = indexedDB.open('fqlab-workspace');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('records').objectStore('records').get('session');
          get.onsuccess = () => resolve((get.result as { comparison?: StoredComparisonSeen } | undefined)?.comparison ?? null);
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('models added to the comparison come back after a reload with their settings, and a removed one stays removed', async ({ page }) => {
  test.setTimeout(180_000);
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.goto('/?demo=off');
  const checkpoint = (name: string) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(fileURLToPath(new URL(`../public/demo/models/${name}`, import.meta.url))) });
  const rows = page.getByTestId('comparison-row');
  for (const [count, name] of [[1, 'pddpm.fqlab'], [2, 'pddpm-iqa.fqlab']] as const) {
    await page.getByTestId('compare-checkpoint-input').setInputFiles(checkpoint(name));
    await expect(rows).toHaveCount(count, { timeout: 60_000 });
  }
  const noiseOf = (origin: string) => page.locator(`[data-testid="comparison-row"]:has(th[title="${origin}"]) input`).first();
  await noiseOf('pddpm.fqlab').fill('600');
  await noiseOf('pddpm.fqlab').press('Enter');
  await fill(page, 'compare-seeds', '2');
  await expect.poll(() => storedComparison(page), { timeout: 30_000 }).toEqual({
    rows: [expect.objectContaining({ origin: 'pddpm.fqlab', noiseLevel: 600 }), expect.objectContaining({ origin: 'pddpm-iqa.fqlab' })],
    seedCount: 2,
  });
  await openPanel(page, 'Storage');
  await expect(page.getByTestId('storage-summary')).toContainText('2 compared models');

  await page.reload();
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  const origins = () => rows.locator('th').evaluateAll((ths) => ths.map((th) => th.getAttribute('title')).sort());
  expect(await origins()).toEqual(['pddpm-iqa.fqlab', 'pddpm.fqlab']);
  await expect(noiseOf('pddpm.fqlab')).toHaveValue('600');
  await expect(page.getByTestId('compare-seeds')).toHaveValue('2');

  await page.getByRole('button', { name: 'Remove pddpm-iqa.fqlab from the comparison' }).click();
  await expect(rows).toHaveCount(1);
  await expect.poll(() => storedComparison(page).then((c) => c?.rows.map((r) => r.origin)), { timeout: 30_000 }).toEqual(['pddpm.fqlab']);
  await openPanel(page, 'Storage');
  await expect(page.getByTestId('storage-summary')).toContainText('1 compared models');
  await page.reload();
  await expect(rows).toHaveCount(1, { timeout: 60_000 });
  expect(await origins()).toEqual(['pddpm.fqlab']);
});
