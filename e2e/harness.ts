// Test-only entry of e2e/harness.html: puts a worker client on window so Playwright can drive the real worker.
import { createWorkerClient, type FqlabWorkerClient } from '../workers/client.ts';

declare global {
  interface Window {
    fqlabHarness?: { client: FqlabWorkerClient };
  }
}

window.fqlabHarness = { client: createWorkerClient() };
const status = document.getElementById('status');
if (status) status.textContent = 'ready';
