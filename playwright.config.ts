// Playwright configuration: the workbench served by `vite preview`, driven in Debian's headless Chromium.
import { defineConfig } from '@playwright/test';
import { chromiumPath, chromiumArgs } from './e2e/chromium.ts';

// FQLAB_E2E_PORT lets several checkouts run their browser tests side by side.
const port = Number(process.env.FQLAB_E2E_PORT ?? 4273);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}`,
    timeout: 240_000,
    reuseExistingServer: !process.env.CI,
  },
});
