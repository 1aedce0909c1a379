// Vite (dev server, build, preview) and Vitest configuration for the fqlab workbench.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { elastixPipeline } from './scripts/vite/elastixPipeline.ts';

/** Cross-origin isolation (threaded WASM needs SharedArrayBuffer) and a CSP that keeps every request on this origin. */
const securityHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [react(), elastixPipeline()],
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es' },
  // e2e/harness.html only exposes the worker client to browser tests; it holds no UI.
  build: { rollupOptions: { input: { main: 'index.html', harness: 'e2e/harness.html' } } },
  // The dev server pre-bundles what the compute worker imports up front (its scan does not follow `new Worker`), so the
  // first load does not stop for a re-optimisation; pre-bundling also shares one tfjs-core with the WASM backend.
  optimizeDeps: { entries: ['index.html', 'e2e/harness.html', 'workers/fqlab.worker.ts'] },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    pool: 'forks',
  },
});
