// The scoring pool in the browser: one Web Worker per logical core (navigator.hardwareConcurrency), in-process on a single core.
import { InProcessScoringPool, ThreadScoringPool, type ScoringPool, type ScoringPort } from '../src/analysis/scoringPool.ts';

function spawnScoringWorker(): ScoringPort {
  const worker = new Worker(new URL('./scoring.worker.ts', import.meta.url), { type: 'module', name: 'fqlab-scoring' });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent) => listener(event.data)),
    onFailure: (listener) => worker.addEventListener('error', (event: ErrorEvent) => listener(new Error(`a scoring worker failed: ${event.message}; reload the page`))),
    terminate: () => worker.terminate(),
  };
}

/** A pool sized to the machine's cores, or scoring in the compute worker itself when there is one. */
export function browserScoringPool(size = navigator.hardwareConcurrency || 1): ScoringPool {
  return size > 1 ? new ThreadScoringPool(size, spawnScoringWorker) : new InProcessScoringPool();
}
