// The scoring pool in Node: one worker_threads thread per core (the CLI, benches, tests), in-process on a single core.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InProcessScoringPool, ThreadScoringPool, type ScoringPool, type ScoringPort } from '../src/analysis/scoringPool.ts';

/** A scoring thread; it holds the process open only while it has a job, so an idle pool never delays exit. */
function spawnScoringThread(): ScoringPort {
  const worker = new Worker(new URL('./scoringThread.node.mjs', import.meta.url));
  worker.unref();
  return {
    post(message) {
      worker.ref();
      worker.postMessage(message);
    },
    onMessage(listener) {
      worker.on('message', (reply) => {
        worker.unref();
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

/** A pool of `size` scoring threads (default: the machine's cores), or scoring in-process when that is one. */
export function nodeScoringPool(size = availableParallelism()): ScoringPool {
  return size > 1 ? new ThreadScoringPool(size, spawnScoringThread) : new InProcessScoringPool();
}
