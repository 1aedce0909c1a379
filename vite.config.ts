// Vite (dev server, build, preview) and Vitest configuration for the fqlab workbench.
import { createReadStream, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { ITK_PIPELINES_PATH, itkPipelineFiles } from './src/formats/itkPipelines.ts';
import { elastixPipeline } from './scripts/vite/elastixPipeline.ts';

/** Cross-origin isolation (threaded WASM needs SharedArrayBuffer) and a CSP that keeps every request on this origin. */
const securityHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** @niivue/dcm2niix exports only its Worker wrapper; the browser worker imports the Emscripten module beside it. */
const dcm2niixDist = fileURLToPath(new URL('./node_modules/@niivue/dcm2niix/dist/', import.meta.url));

/**
 * Serves the itk-wasm readers fqlab uses (src/formats/itkPipelines.ts) from this origin: the dev server streams them
 * from node_modules, the build copies them under the same path. itk-wasm would otherwise fetch them from a CDN.
 */
function itkPipelines(): Plugin {
  const source = fileURLToPath(new URL('./node_modules/@itk-wasm/image-io/dist/pipelines/', import.meta.url));
  const files = new Set(itkPipelineFiles());
  return {
    name: 'fqlab-itk-pipelines',
    configureServer(server) {
      server.middlewares.use(`${server.config.base}${ITK_PIPELINES_PATH}/`, (req, res, next) => {
        const name = (req.url ?? '').replace(/^\//, '').replace(/[?#].*$/, '');
        if (!files.has(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
        for (const [header, value] of Object.entries(securityHeaders)) res.setHeader(header, value);
        createReadStream(source + name).pipe(res);
      });
    },
    generateBundle() {
      for (const name of files) {
        this.emitFile({ type: 'asset', fileName: `${ITK_PIPELINES_PATH}/${name}`, source: readFileSync(source + name) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), itkPipelines(), elastixPipeline()],
  resolve: { alias: [{ find: /^@niivue\/dcm2niix\/dist\//, replacement: dcm2niixDist }] },
  server: { headers: securityHeaders },
  preview: { headers: securityHeaders },
  worker: { format: 'es' },
  // e2e/harness.html only exposes the worker client to browser tests; it holds no UI.
  build: {
    rollupOptions: {
      input: { main: 'index.html', harness: 'e2e/harness.html' },
      onwarn(warning, warn) {
        // dcm2niix's Emscripten glue imports Node's "module" only on its Node path; the browser never reaches it.
        if (warning.message.includes('"module" has been externalized') && warning.message.includes('dcm2niix')) return;
        warn(warning);
      },
    },
  },
  // The dev server pre-bundles what the compute worker imports up front (its scan does not follow `new Worker`), so the
  // first load does not stop for a re-optimisation; pre-bundling also shares one tfjs-core with the WASM backend.
  optimizeDeps: { entries: ['index.html', 'e2e/harness.html', 'workers/fqlab.worker.ts'] },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    // Fixture set-up (synthetic cases, decoded demo volumes) shares 2 cores with other test files in CI.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
