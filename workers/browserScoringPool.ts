// The scoring pool in the browser: Web Workers as SCORING_POOL_SETTINGS sizes it for navigator.hardwareConcurrency.
import { SCORING_POOL_SETTINGS, ThreadScoringPool, type ScoringPool, type ScoringPort } from '../src/analysis/scoringPool.ts';

function spawnScoringWorker(): ScoringPort {
  const worker = new Worker(new URL('./scoring.worker.ts', import.meta.url), { type: 'module', name: 'fqlab-scoring' });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent) => listener(event.data)),
    onFailure: (listener) => worker.addEventListener('error', (event: ErrorEvent) => listener(new Error(`a scoring worker failed: ${event.message}; reload the page`))),
    terminate: () => worker.terminate(),
  };
}

/** A pool of scoring workers sized to the machine's cores (SCORING_POOL_SETTINGS.browserWorkers). */
export function browserScoringPool(size = SCORING_POOL_SETTINGS.browserWorkers(navigator.hardwareConcurrency || 1)): ScoringPool {
  return new ThreadScoringPool(size, spawnScoringWorker);
}
