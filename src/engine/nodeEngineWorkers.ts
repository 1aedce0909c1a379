// Data-parallel training and inference in Node: worker threads, each with its own tfjs WASM engine, compute some of a step's micro-batches or a forward's slices (Node only).
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerAnswer, WorkerRequest } from './engineWorker.node.ts';
import type { GradientHelpers, MicroBatchJob, MicroBatchResult } from './microBatch.ts';
import type { ForwardHelpers, ForwardShare } from './parallelForward.ts';
import type { TrainingConfig } from './trainingConfig.ts';
import type { UNet } from './unet.ts';

/*
 * Node's tfjs WASM backend is single-threaded (tfjs-backend-wasm 4.22 turns its threaded build off
 * under Node), so a step would use one core. Each worker thread here runs the same single-threaded
 * WASM kernels on its own model replica; the Trainer sums the micro-batch gradients in a fixed
 * order, so a step is bit-identical with any number of workers, and a forward's slices come out as
 * one engine's. The workers load the engine's TypeScript through tsx (as bin/fqlab.mjs does),
 * whatever loader the parent process used.
 */

/** Helper threads that use every core besides the Trainer's own. */
export function defaultEngineWorkerCount(): number {
  return Math.max(0, cpus().length - 1);
}

/** What a request can be answered with. */
type RequestAnswer = Exclude<WorkerAnswer, { error: string } | { booted: true }>;

interface Pending {
  request: WorkerRequest;
  resolve: (answer: RequestAnswer) => void;
  reject: (error: Error) => void;
}

/**
 * One worker thread answering one request at a time, in order. An idle worker is unref'd, so helpers kept for a
 * session's forwards never keep the process alive; a request is posted at once when the worker is idle.
 */
class EngineWorker {
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private ended: string | null = null;
  /** The forward weights version this worker was last sent (null after a failed forward: it may hold half of them). */
  forwardVersion: string | null = null;
  /** Settles once the worker's engine has started, failed to, or the worker has gone. */
  private readonly booted: Promise<void>;
  private markBooted: () => void = () => undefined;

  constructor(private readonly worker: Worker) {
    this.booted = new Promise((resolve) => (this.markBooted = resolve));
    worker.unref();
    worker.on('message', (answer: WorkerAnswer) => {
      if ('booted' in answer) {
        this.markBooted();
        return;
      }
      const done = this.current;
      this.current = null;
      if ('error' in answer) {
        if (done?.request.kind === 'forward') this.forwardVersion = null;
        done?.reject(new Error(`engine worker (${done.request.kind}): ${answer.error}`));
      } else done?.resolve(answer);
      this.next();
    });
    worker.on('error', (error) => {
      this.markBooted();
      this.end(`failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      this.markBooted();
      this.end(`exited with code ${code}`);
    });
  }

  ask(request: WorkerRequest): Promise<RequestAnswer> {
    return new Promise((resolve, reject) => {
      if (this.ended !== null) {
        reject(new Error(`engine worker ${this.ended}`));
        return;
      }
      this.queue.push({ request, resolve, reject });
      if (this.current === null) this.next();
    });
  }

  /**
   * Stops the worker once it has booted: terminating a thread mid-way through loading modules and compiling WASM is
   * where Node and V8 have had process-crashing bugs. Held (ref'd) meanwhile, so the wait cannot end the process.
   */
  async terminate(): Promise<number> {
    this.end('was closed');
    this.worker.ref();
    await this.booted;
    return this.worker.terminate();
  }

  private next(): void {
    const pending = this.queue.shift();
    if (pending === undefined) {
      this.worker.unref();
      return;
    }
    this.current = pending;
    this.worker.ref();
    this.worker.postMessage(pending.request);
  }

  private end(reason: string): void {
    if (this.ended !== null) return;
    this.ended = reason;
    const waiting = [...(this.current === null ? [] : [this.current]), ...this.queue.splice(0)];
    this.current = null;
    for (const p of waiting) p.reject(new Error(`engine worker ${reason} before answering`));
  }
}

class NodeEngineWorkers implements GradientHelpers, ForwardHelpers {
  constructor(private readonly workers: EngineWorker[]) {}

  get count(): number {
    return this.workers.length;
  }

  async compute(config: TrainingConfig, weights: Float32Array[], jobs: MicroBatchJob[]): Promise<MicroBatchResult[]> {
    // Contiguous shares in job order, so the answers concatenate back into job order.
    const per = Math.ceil(jobs.length / this.workers.length);
    const shares = this.workers.map((worker, w) => ({ worker, jobs: jobs.slice(w * per, (w + 1) * per) })).filter((s) => s.jobs.length > 0);
    const answers = await Promise.all(
      shares.map(async (s) => {
        const answer = await s.worker.ask({ kind: 'gradients', config, weights, jobs: s.jobs });
        if (!('results' in answer)) throw new Error('engine worker: a gradient request got another answer');
        return answer.results;
      }),
    );
    return answers.flat();
  }

  forward(unet: UNet, version: string, shares: ForwardShare[]): Promise<Float32Array[]> {
    if (shares.length > this.workers.length) return Promise.reject(new RangeError(`forward: ${shares.length} shares for ${this.workers.length} helpers`));
    // Read only for workers without this version, and synchronously (a copy on WASM), so every share is posted before the caller computes its own.
    let weights: Float32Array[] | null = null;
    const weightsFor = (worker: EngineWorker): Float32Array[] | null => {
      if (worker.forwardVersion === version) return null;
      weights ??= unet.trainableVariables().map((v) => v.dataSync() as Float32Array);
      worker.forwardVersion = version;
      return weights;
    };
    return Promise.all(
      shares.map(async (share, i) => {
        const worker = this.workers[i];
        const answer = await worker.ask({ kind: 'forward', unet: unet.config, version, weights: weightsFor(worker), share });
        if (!('output' in answer)) throw new Error('engine worker: a forward request got another answer');
        return answer.output;
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Starts `count` helper threads for Trainer.create(config, data, { helpers }) and dataParallelApply; close() them
 * when done (idle ones do not keep the process alive).
 * @example const helpers = startEngineWorkers(defaultEngineWorkerCount());
 */
export function startEngineWorkers(count: number): GradientHelpers & ForwardHelpers {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`startEngineWorkers: count must be a whole number >= 0, got ${count}`);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const script = new URL('./engineWorker.node.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); });`;
  const workers = Array.from({ length: count }, () => new EngineWorker(new Worker(bootstrap, { eval: true, execArgv: [] })));
  return new NodeEngineWorkers(workers);
}
