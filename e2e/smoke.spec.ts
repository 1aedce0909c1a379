// Smoke test: the workbench page loads in headless Chromium and says that data stays local.
import { expect, test } from '@playwright/test';

test('the workbench page loads', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'fqlab' })).toBeVisible();
  await expect(page.getByTestId('privacy-note')).toContainText('no file you open leaves this machine');
  expect(errors).toEqual([]);
});
