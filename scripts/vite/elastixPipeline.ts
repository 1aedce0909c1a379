// Vite plugin: serves (dev) and emits (build) itk-wasm's elastix pipeline under the site's own origin, as the CSP requires.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';
import { ELASTIX_PIPELINE_FILES, ELASTIX_PIPELINE_PATH } from '../../workers/elastixAssets.ts';

function pipelineFolder(): string {
  // The package's exports hide package.json, so its folder is found from the resolved Node entry.
  const entry = createRequire(import.meta.url).resolve('@itk-wasm/elastix');
  return path.join(path.dirname(entry), 'pipelines');
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.zst': 'application/octet-stream' };

/** Copies node_modules/@itk-wasm/elastix/dist/pipelines/{elastix.js,elastix.wasm.zst} to <base>/itk/elastix/. */
export function elastixPipeline(): Plugin {
  const folder = pipelineFolder();
  let base = '/';
  return {
    name: 'fqlab-elastix-pipeline',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      const prefix = `${base}${ELASTIX_PIPELINE_PATH}/`;
      server.middlewares.use((request, response, next) => {
        const name = request.url?.split('?')[0].slice(prefix.length);
        if (!request.url?.startsWith(prefix) || !(ELASTIX_PIPELINE_FILES as readonly string[]).includes(name ?? '')) return next();
        response.setHeader('Content-Type', CONTENT_TYPES[path.extname(name!)]);
        response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        response.end(readFileSync(path.join(folder, name!)));
      });
    },
    generateBundle() {
      for (const name of ELASTIX_PIPELINE_FILES) {
        this.emitFile({ type: 'asset', fileName: `${ELASTIX_PIPELINE_PATH}/${name}`, source: readFileSync(path.join(folder, name)) });
      }
    },
  };
}
