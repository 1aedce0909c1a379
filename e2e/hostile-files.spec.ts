// Browser test: hostile files dropped on the workbench (cut-off and bad-checksum .nii.gz, text named .nii, absurd dims) are refused by name, and the page stays usable.
// Opens the page with ?demo=off: the test brings its own files, and the demo would compete for the CPU.
import { gzipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { dropFiles, expectCanvasNotEmpty } from './helpers/page.ts';
import { niftiBytes, syntheticCase } from './helpers/syntheticNifti.ts';

interface HostileFile {
  name: string;
  bytes: Uint8Array;
  /** What the refusal must say besides the file name. */
  says: RegExp;
}

function hostileFiles(): HostileFile[] {
  const image = syntheticCase({ seed: 7 }).image;
  const compressed = gzipSync(image);
  // stored (level 0) deflate: decompressed byte k of the first 64 KiB block sits at byte 15 + k, so this changes a voxel
  const flipped = gzipSync(image, { level: 0 });
  flipped[15 + 352 + 4 * 1000 + 2] ^= 0x20;
  return [
    { name: 'cut-off_T2.nii.gz', bytes: compressed.subarray(0, compressed.length >> 1), says: /cut off/ },
    { name: 'bad-crc_T2.nii.gz', bytes: flipped, says: /gzip checksum/ },
    { name: 'notes_T2.nii', bytes: new TextEncoder().encode('subject 12, T2 weighted, see the scanner log\n'.repeat(20)), says: /not a NIfTI image/ },
    { name: 'absurd-dims_T2.nii', bytes: niftiBytes(new Float32Array(8), [30000, 30000, 30000], [1, 1, 1]), says: /27000000000000 voxels/ },
  ];
}

test.beforeEach(async ({ page }) => {
  page.on('pageerror', (error) => {
    throw new Error(`uncaught page error: ${error.message}`);
  });
});

test('hostile files are refused in the error banner by name; a valid volume dropped afterwards still loads', async ({ page }) => {
  await page.goto('/?demo=off');
  const hostile = hostileFiles();
  await dropFiles(page, hostile);

  const banner = page.getByTestId('error-banner');
  await expect(banner).toBeVisible({ timeout: 30_000 });
  for (const file of hostile) {
    await expect(banner.locator('li', { hasText: file.name })).toContainText(file.says, { timeout: 30_000 });
    await expect(page.locator(`tr.rejected-row[data-file-name="${file.name}"]`)).toBeVisible();
  }
  await expect(page.locator('.case-card')).toHaveCount(0);

  const valid = syntheticCase({ seed: 1 }).image;
  await dropFiles(page, [{ name: 'synthA_T2.nii.gz', bytes: gzipSync(valid) }]);
  await expect(page.locator('.case-card.status-ready')).toHaveCount(1, { timeout: 120_000 });
  await expect(page.locator('tr.rejected-row[data-file-name="synthA_T2.nii.gz"]')).toHaveCount(0);
  await expectCanvasNotEmpty(page);
});
