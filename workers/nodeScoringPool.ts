// The scoring pool in Node: worker_threads threads as SCORING_POOL_SETTINGS sizes it for the machine's cores (the CLI, benches, tests), or in-process.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InProcessScoringPool, SCORING_POOL_SETTINGS, ThreadScoringPool, type ScoringPool, type ScoringPort } from '../src/analysis/scoringPool.ts';

/** A scoring thread; it holds the process open only while it has jobs not yet answered, so an idle pool never delays exit. */
function spawnScoringThread(): ScoringPort {
  const worker = new Worker(new URL('./scoringThread.node.mjs', import.meta.url));
  worker.unref();
  // The thread answers every job once (a cancelled one too).
  let unanswered = 0;
  return {
    post(message) {
      if ('cancel' in message) {
        worker.postMessage(message);
        return;
      }
      if (unanswered++ === 0) worker.ref();
      worker.postMessage(message);
    },
    onMessage(listener) {
      worker.on('message', (reply) => {
        if (--unanswered === 0) worker.unref();
        listener(reply);
      });
    },
    onFailure(listener) {
      worker.on('error', listener);
      worker.on('exit', (code) => listener(new Error(`a scoring thread stopped (exit code ${code}); run the command again`)));
    },
    terminate: () => void worker.terminate(),
  };
}

/** A pool of `size` scoring threads (default: as many as SCORING_POOL_SETTINGS gives this machine), or scoring in-process when that is one. */
export function nodeScoringPool(size = SCORING_POOL_SETTINGS.nodeThreads(availableParallelism())): ScoringPool {
  return size > 1 ? new ThreadScoringPool(size, spawnScoringThread) : new InProcessScoringPool();
}
