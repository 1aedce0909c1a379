// Web Worker entry of the browser's scoring pool: rescoring jobs (score map, post-processing, threshold-free metrics) off the compute worker.
import { serveScoring } from '../src/analysis/scoringPool.ts';

serveScoring({
  onMessage: (listener) => self.addEventListener('message', (event: MessageEvent) => listener(event.data)),
  post: (message, transfer) => self.postMessage(message, { transfer }),
});
