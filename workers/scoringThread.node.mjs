// worker_threads entry of the Node scoring pool: loads the TypeScript scoring code through tsx (as bin/fqlab.mjs does), then answers jobs.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveScoring } = await import('../src/analysis/scoringPool.ts');
serveScoring({
  onMessage: (listener) => parentPort.on('message', listener),
  post: (message, transfer) => parentPort.postMessage(message, transfer),
});
