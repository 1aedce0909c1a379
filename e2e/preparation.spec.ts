// Browser test of how scans are prepared: the read-time smoothing switch re-conforms the cases, and the AIR rules explain themselves.
import { expect, test } from '@playwright/test';
import { syntheticCase } from './helpers/syntheticNifti.ts';
import { dropFiles } from './helpers/page.ts';

test('smoothing switch and AIR modes in the Model panel', async ({ page }) => {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
  await page.goto('/?demo=off');
  const healthy = syntheticCase({ seed: 1 });
  const lesion = syntheticCase({ seed: 2, lesion: { centre: [0.4, 0.45, 0.5], radius: 6 } });
  await dropFiles(page, [
    { name: 'synthA_T2.nii', bytes: healthy.image },
    { name: 'synthB_T2.nii', bytes: lesion.image },
    { name: 'synthB_seg.nii', bytes: lesion.segmentation! },
  ]);
  const ready = page.locator('.case-card.status-ready');
  await expect(ready).toHaveCount(2, { timeout: 120_000 });

  // Smoothing is on by default; switching it off conforms every case again.
  const smoothing = page.getByTestId('smoothing-checkbox');
  await expect(smoothing).toBeChecked();
  await smoothing.uncheck();
  await expect(page.getByTestId('smoothing-hint')).toContainText('without smoothing');
  await expect(ready).toHaveCount(2, { timeout: 120_000 });

  // The default AIR rule reads the modality; 'from statistics' shows μn, μa and their margins to 0.5.
  const air = page.getByTestId('air-stats');
  await expect(page.getByTestId('air-select')).toHaveValue('modality');
  await expect(air).toContainText('training cases are T2 → off');
  await page.getByTestId('air-select').selectOption('stats');
  await expect(air).toContainText('AIR from statistics');
  await expect(air).toContainText(/μn = 0\.\d{3} \([+−]0\.\d{3} from 0\.5\)/);
  await expect(air).toContainText(/μa = 0\.\d{3} \([+−]0\.\d{3} from 0\.5\)/);
});
