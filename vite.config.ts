// Vite (dev server, build, preview) and Vitest configuration for the fqlab workbench.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation (threaded WASM needs SharedArrayBuffer) and a CSP that keeps every request on this origin. */
const securityHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es' },
  // e2e/harness.html only exposes the worker client to browser tests; it holds no UI.
  build: { rollupOptions: { input: { main: 'index.html', harness: 'e2e/harness.html' } } },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    pool: 'forks',
  },
});
