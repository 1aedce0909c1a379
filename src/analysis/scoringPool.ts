// Runs scoring jobs on several threads (Web Workers, worker_threads) or in-process, one job a thread at a time, abortable between jobs; threads keep each case's maps resident.
import { LRUCache } from 'lru-cache';
import { FqlabError, type FqlabErrorCode } from '../core/errors.ts';
import type { ScoreMapSettings } from './keys.ts';
import { runScoringJob, scoringInputsBytes, type PooledScoringJob, type ScoringInputs, type ScoringJobResult } from './scoringJob.ts';

/** The scoring pool's knobs. */
export interface ScoringPoolSettings {
  /**
   * worker_threads in Node (the CLI, benches) for `cores` logical cores; 1 scores in-process. Up to 2 cores serial
   * wins: on the 2-core VM a 14-case study took 741 ms serially and 1504 ms on 2 threads with resident maps (load 5.5).
   */
  nodeThreads: (cores: number) => number;
  /**
   * Scoring Web Workers in the browser; at least one, as scoring in the compute worker waits behind its inference
   * (the demo reconstructs the table's checkpoints after it is ready): on the 2-core VM, load 11, with the table
   * running, a study took a median 7.1 s in the compute worker and 2.9 s on 2 scoring workers.
   */
  browserWorkers: (cores: number) => number;
  /** Bytes of case inputs (quality maps, mask, labels: about 4.6 MB a 96x96x50 case) each thread keeps between moves. */
  residentBytesPerThread: number;
}

export const SCORING_POOL_SETTINGS: ScoringPoolSettings = {
  nodeThreads: (cores) => (cores > 2 ? cores - 1 : 1),
  browserWorkers: (cores) => Math.max(1, cores),
  residentBytesPerThread: 256 * 1024 * 1024,
};

/** Scores cases: `run` resolves with exactly what runScoringJob returns on this thread. */
export interface ScoringPool {
  /** Jobs that run at once. */
  readonly size: number;
  /** Runs a job when a thread is free; rejects with the signal's reason if it is aborted before the job starts. */
  run(job: PooledScoringJob, signal?: AbortSignal): Promise<ScoringJobResult>;
  /** Stops the threads (pending jobs reject). */
  dispose(): void;
}

/** A job posted to a scoring thread: its inputs only when the thread is not known to hold them under `inputsKey`. */
export interface ScoringRequestMessage {
  id: number;
  inputsKey: string;
  settings: ScoreMapSettings;
  inputs?: ScoringInputs;
}

/** A scoring thread's answer: the result, that it lacks the job's inputs (send them), or the error it threw (an FqlabError keeps its code and file). */
export type ScoringReplyMessage =
  | { id: number; result: ScoringJobResult }
  | { id: number; missingInputs: true }
  | { id: number; error: { message: string; code?: FqlabErrorCode; fileName?: string } };

/** The main-thread end of one scoring thread (a Web Worker or a worker_threads Worker, wrapped). */
export interface ScoringPort {
  post(message: ScoringRequestMessage): void;
  onMessage(listener: (message: ScoringReplyMessage) => void): void;
  /** The thread died (failed to load, crashed): every job on it fails with this error. */
  onFailure(listener: (error: Error) => void): void;
  terminate(): void;
}

/** The thread end: keeps the inputs it is sent (byte-budgeted), answers every job, transferring the map back. */
export function serveScoring(
  thread: {
    onMessage(listener: (message: ScoringRequestMessage) => void): void;
    post(message: ScoringReplyMessage, transfer: ArrayBuffer[]): void;
  },
  residentBytes = SCORING_POOL_SETTINGS.residentBytesPerThread,
): void {
  const resident = new LRUCache<string, ScoringInputs>({ maxSize: residentBytes });
  let scratch: Float32Array | undefined;
  thread.onMessage(({ id, inputsKey, settings, inputs: sent }) => {
    try {
      if (sent) resident.set(inputsKey, sent, { size: scoringInputsBytes(sent) });
      const inputs = sent ?? resident.get(inputsKey);
      if (!inputs) {
        thread.post({ id, missingInputs: true }, []);
        return;
      }
      if (scratch?.length !== inputs.l1.length) scratch = new Float32Array(inputs.l1.length);
      const result = runScoringJob({ ...inputs, settings }, scratch);
      thread.post({ id, result }, [result.map.buffer as ArrayBuffer]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const fqlab = error instanceof FqlabError ? { code: error.code, fileName: error.fileName } : {};
      thread.post({ id, error: { message, ...fqlab } }, []);
    }
  });
}

/** Waits a macrotask, so messages queued meanwhile (a newer request that aborts this one) are handled first. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Scores on the calling thread, one job after another (machines with one core, tests, the CLI's default). */
export class InProcessScoringPool implements ScoringPool {
  readonly size = 1;
  private tail: Promise<unknown> = Promise.resolve();
  private scratch: Float32Array | undefined;

  run(job: PooledScoringJob, signal?: AbortSignal): Promise<ScoringJobResult> {
    const next = this.tail.then(async () => {
      await yieldToEvents();
      signal?.throwIfAborted();
      const inputs = job.inputs();
      if (this.scratch?.length !== inputs.l1.length) this.scratch = new Float32Array(inputs.l1.length);
      return runScoringJob({ ...inputs, settings: job.settings }, this.scratch);
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  dispose(): void {}
}

interface QueuedJob {
  job: PooledScoringJob;
  signal?: AbortSignal;
  resolve: (result: ScoringJobResult) => void;
  reject: (error: unknown) => void;
}

/** One thread of a pool, with a mirror of the inputs it holds (key to bytes; see ThreadScoringPool). */
interface PoolThread {
  port: ScoringPort;
  resident: LRUCache<string, number>;
}

/** The error a scoring thread reported, as the error the serial path would have thrown. */
function replyError(error: Extract<ScoringReplyMessage, { error: unknown }>['error']): Error {
  if (error.code === undefined || error.fileName === undefined) return new Error(error.message);
  const prefix = `${error.fileName}: `;
  return new FqlabError(error.code, error.fileName, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
}

/**
 * A pool of scoring threads made on first use by `spawn`. A thread keeps the inputs it was sent (a byte-budgeted LRU,
 * `residentBytes` a thread) and a job goes to the thread that holds its inputs, with only its key and settings; a job
 * whose inputs no thread holds goes to the first idle thread with them (copied: the caller's caches keep theirs), and a
 * thread that evicted them meanwhile asks for them again. Jobs start in call order per thread; a job whose signal is
 * aborted while queued never starts. The map comes back transferred.
 */
export class ThreadScoringPool implements ScoringPool {
  private readonly threads: PoolThread[] = [];
  private readonly idle: PoolThread[] = [];
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Map<number, { thread: PoolThread; queued: QueuedJob }>();
  private nextId = 0;

  constructor(
    readonly size: number,
    private readonly spawn: () => ScoringPort,
    private readonly residentBytes = SCORING_POOL_SETTINGS.residentBytesPerThread,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ThreadScoringPool: size must be a positive integer, got ${size}`);
  }

  run(job: PooledScoringJob, signal?: AbortSignal): Promise<ScoringJobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, signal, resolve, reject });
      this.dispatch();
    });
  }

  private startThreads(): void {
    for (let i = this.threads.length; i < this.size; i++) {
      const thread: PoolThread = { port: this.spawn(), resident: new LRUCache<string, number>({ maxSize: this.residentBytes }) };
      thread.port.onMessage((reply) => this.settle(thread, reply));
      thread.port.onFailure((error) => this.fail(thread, error));
      this.threads.push(thread);
      this.idle.push(thread);
    }
  }

  /** Starts every queued job whose thread is idle: the thread holding its inputs, else any idle one. */
  private dispatch(): void {
    if (this.threads.length === 0) this.startThreads();
    for (let at = 0; at < this.queue.length && this.idle.length > 0; ) {
      const queued = this.queue[at];
      if (queued.signal?.aborted) {
        this.queue.splice(at, 1);
        queued.reject(queued.signal.reason);
        continue;
      }
      const holder = this.threads.find((t) => t.resident.has(queued.job.inputsKey));
      const thread = holder ?? this.idle[0];
      if (!this.idle.includes(thread)) {
        at++;
        continue;
      }
      this.queue.splice(at, 1);
      this.idle.splice(this.idle.indexOf(thread), 1);
      this.post(thread, queued, holder === undefined);
    }
  }

  /** Posts a job to a thread, with its inputs when asked (and then the mirror records them as the thread will). */
  private post(thread: PoolThread, queued: QueuedJob, withInputs: boolean): void {
    const id = this.nextId++;
    const { inputsKey, settings } = queued.job;
    let inputs: ScoringInputs | undefined;
    try {
      inputs = withInputs ? queued.job.inputs() : undefined;
    } catch (error) {
      this.idle.push(thread);
      queued.reject(error);
      return;
    }
    if (inputs) thread.resident.set(inputsKey, 1, { size: scoringInputsBytes(inputs) });
    else thread.resident.get(inputsKey);
    this.running.set(id, { thread, queued });
    thread.port.post({ id, inputsKey, settings, inputs });
  }

  private settle(thread: PoolThread, reply: ScoringReplyMessage): void {
    const entry = this.running.get(reply.id);
    if (!entry) return;
    this.running.delete(reply.id);
    if ('missingInputs' in reply) {
      thread.resident.delete(entry.queued.job.inputsKey);
      this.post(thread, entry.queued, true);
      return;
    }
    this.idle.push(thread);
    if ('result' in reply) entry.queued.resolve(reply.result);
    else entry.queued.reject(replyError(reply.error));
    this.dispatch();
  }

  private fail(thread: PoolThread, error: Error): void {
    const at = this.threads.indexOf(thread);
    // A thread this pool already stopped (dispose, or an earlier failure) reports its exit too.
    if (at < 0) return;
    for (const [id, entry] of this.running) {
      if (entry.thread !== thread) continue;
      this.running.delete(id);
      entry.queued.reject(error);
    }
    // A dead thread is replaced on the next dispatch.
    this.threads.splice(at, 1);
    thread.port.terminate();
    const idleAt = this.idle.indexOf(thread);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (this.queue.length > 0) {
      this.startThreads();
      this.dispatch();
    }
  }

  dispose(): void {
    for (const thread of this.threads) thread.port.terminate();
    const stopped = new Error('the scoring pool was stopped');
    for (const { queued } of this.running.values()) queued.reject(stopped);
    for (const queued of this.queue) queued.reject(stopped);
    this.threads.length = 0;
    this.idle.length = 0;
    this.queue.length = 0;
    this.running.clear();
  }
}
