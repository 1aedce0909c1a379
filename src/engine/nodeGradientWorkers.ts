// Data-parallel training in Node: worker threads, each with its own tfjs WASM engine, compute some of a step's micro-batches (Node only).
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerAnswer, WorkerRequest } from './gradientWorker.node.ts';
import type { GradientHelpers, MicroBatchJob, MicroBatchResult } from './microBatch.ts';
import type { TrainingConfig } from './trainingConfig.ts';

/*
 * Node's tfjs WASM backend is single-threaded (tfjs-backend-wasm 4.22 turns its threaded build off
 * under Node), so a step would use one core. Each worker thread here runs the same single-threaded
 * WASM kernels on its own model replica; the Trainer sums the micro-batch gradients in a fixed
 * order, so a step is bit-identical with any number of workers. The workers load the engine's
 * TypeScript through tsx (as bin/fqlab.mjs does), whatever loader the parent process used.
 */

/** Helper threads that use every core besides the Trainer's own. */
export function defaultGradientWorkerCount(): number {
  return Math.max(0, cpus().length - 1);
}

class NodeGradientWorkers implements GradientHelpers {
  constructor(private readonly workers: Worker[]) {}

  get count(): number {
    return this.workers.length;
  }

  async compute(config: TrainingConfig, weights: Float32Array[], jobs: MicroBatchJob[]): Promise<MicroBatchResult[]> {
    // Contiguous shares in job order, so the answers concatenate back into job order.
    const per = Math.ceil(jobs.length / this.workers.length);
    const shares = this.workers.map((worker, w) => ({ worker, jobs: jobs.slice(w * per, (w + 1) * per) })).filter((s) => s.jobs.length > 0);
    const answers = await Promise.all(shares.map((s) => ask(s.worker, { config, weights, jobs: s.jobs })));
    return answers.flat();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function ask(worker: Worker, request: WorkerRequest): Promise<MicroBatchResult[]> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (answer: WorkerAnswer): void => {
      cleanup();
      if ('error' in answer) reject(new Error(`gradient worker: ${answer.error}`));
      else resolve(answer.results);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(request);
  });
}

/**
 * Starts `count` helper threads for Trainer.create(config, data, { helpers }); close() them when done.
 * @example const helpers = startGradientWorkers(defaultGradientWorkerCount());
 */
export function startGradientWorkers(count: number): GradientHelpers {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`startGradientWorkers: count must be a whole number >= 0, got ${count}`);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const script = new URL('./gradientWorker.node.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`;
  const workers = Array.from({ length: count }, () => new Worker(bootstrap, { eval: true, execArgv: [] }));
  return new NodeGradientWorkers(workers);
}
