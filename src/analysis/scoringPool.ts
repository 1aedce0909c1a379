// Runs scoring jobs on several threads (Web Workers, worker_threads) or in-process, abortable between jobs; threads queue their jobs and keep each case's maps resident.
import { LRUCache } from 'lru-cache';
import { FqlabError, type FqlabErrorCode } from '../core/errors.ts';
import type { ScoreMapSettings } from './keys.ts';
import { runScoringJob, scoringInputsBytes, scoringResultTransfer, type PooledScoringJob, type ScoringInputs, type ScoringJobResult } from './scoringJob.ts';

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
  /**
   * A job goes to the thread that holds its inputs unless that thread has more than this many jobs beyond the least
   * busy one; then the least busy one is sent the inputs too (a copy of about 4.6 MB). 0: a study waits for its busiest
   * thread, and one job more there costs a job's ~50 ms, a copy (once) a few ms; with 1, the demo's 14 cases went 8/6
   * on every move in the page (one thread held them all, as the demo scores cases one at a time).
   */
  holderQueueSlack: number;
  /**
   * A score request that supersedes a study still running is a slider drag's move: the rest of its study waits this
   * long after its viewed case, for the drag's next move (which the page sends as soon as a viewed case is in), so the
   * threads stay free for viewed cases instead of starting a study the next move aborts.
   */
  dragHoldMs: number;
}

export const SCORING_POOL_SETTINGS: ScoringPoolSettings = {
  nodeThreads: (cores) => (cores > 2 ? cores - 1 : 1),
  browserWorkers: (cores) => Math.max(1, cores),
  residentBytesPerThread: 256 * 1024 * 1024,
  holderQueueSlack: 0,
  dragHoldMs: 100,
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

/** Drops a job the thread has queued but not started (a newer alpha move superseded it); its reply then says so. */
export interface ScoringCancelMessage {
  cancel: number;
}

/** What the pool posts to a scoring thread. */
export type ScoringThreadMessage = ScoringRequestMessage | ScoringCancelMessage;

/**
 * A scoring thread's answer, one to every job: the result, that it lacks the job's inputs (send them), that the job was
 * cancelled before it started, or the error it threw (an FqlabError keeps its code and file).
 */
export type ScoringReplyMessage =
  | { id: number; result: ScoringJobResult }
  | { id: number; cancelled: true }
  | { id: number; missingInputs: true }
  | { id: number; error: { message: string; code?: FqlabErrorCode; fileName?: string } };

/** The main-thread end of one scoring thread (a Web Worker or a worker_threads Worker, wrapped). */
export interface ScoringPort {
  post(message: ScoringThreadMessage): void;
  onMessage(listener: (message: ScoringReplyMessage) => void): void;
  /** The thread died (failed to load, crashed): every job on it fails with this error. */
  onFailure(listener: (error: Error) => void): void;
  terminate(): void;
}

/**
 * Calls `run` in a later macrotask, after the messages that arrived meanwhile (a cancel): a MessageChannel, as
 * setTimeout waits at least 4 ms once nested.
 */
function macrotaskScheduler(): (run: () => void) => void {
  if (typeof MessageChannel === 'undefined') return (run) => void setTimeout(run, 0);
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  // Node: an idle scoring thread must not be kept alive by its own scheduler.
  (channel.port1 as { unref?: () => void }).unref?.();
  return (run) => {
    waiting.push(run);
    channel.port2.postMessage(null);
  };
}

/**
 * The thread end: queues the jobs it is sent and runs them one per macrotask, so a cancel that arrives meanwhile
 * drops a queued job before it starts; keeps the inputs it is sent (byte-budgeted, stored as they arrive, so jobs
 * queued behind them find them); answers every job it runs, transferring the map back.
 */
export function serveScoring(
  thread: {
    onMessage(listener: (message: ScoringThreadMessage) => void): void;
    post(message: ScoringReplyMessage, transfer: ArrayBuffer[]): void;
  },
  residentBytes = SCORING_POOL_SETTINGS.residentBytesPerThread,
): void {
  const resident = new LRUCache<string, ScoringInputs>({ maxSize: residentBytes });
  const queue: ScoringRequestMessage[] = [];
  const later = macrotaskScheduler();
  let scheduled = false;
  let scratch: Float32Array | undefined;
  const runNext = (): void => {
    scheduled = false;
    const job = queue.shift();
    if (!job) return;
    if (queue.length > 0) schedule();
    const { id, inputsKey, settings, inputs: sent } = job;
    try {
      const inputs = sent ?? resident.get(inputsKey);
      if (!inputs) {
        thread.post({ id, missingInputs: true }, []);
        return;
      }
      if (scratch?.length !== inputs.l1.length) scratch = new Float32Array(inputs.l1.length);
      const result = runScoringJob({ ...inputs, settings }, scratch);
      thread.post({ id, result }, scoringResultTransfer(result));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const fqlab = error instanceof FqlabError ? { code: error.code, fileName: error.fileName } : {};
      thread.post({ id, error: { message, ...fqlab } }, []);
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    later(runNext);
  };
  thread.onMessage((message) => {
    if ('cancel' in message) {
      const at = queue.findIndex((job) => job.id === message.cancel);
      if (at >= 0) {
        queue.splice(at, 1);
        thread.post({ id: message.cancel, cancelled: true }, []);
      }
      return;
    }
    if (message.inputs) resident.set(message.inputsKey, message.inputs, { size: scoringInputsBytes(message.inputs) });
    queue.push(message);
    schedule();
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

/** A job posted to a thread, until its reply (or its abort). */
interface PostedJob {
  job: PooledScoringJob;
  thread: PoolThread;
  resolve: (result: ScoringJobResult) => void;
  reject: (error: unknown) => void;
  /** The jobs still posted under the job's signal (one abort listener a signal, not one a job). */
  underSignal?: Set<number>;
}

/** One thread of a pool, with a mirror of the inputs it holds (key to bytes; see ThreadScoringPool) and its jobs posted and not yet answered. */
interface PoolThread {
  port: ScoringPort;
  resident: LRUCache<string, number>;
  posted: number;
}

/**
 * The thread with the fewest jobs posted and not yet answered; of equals, the one holding the fewest input bytes (then
 * the first), so cases scored one at a time (the demo's, as it reconstructs them) spread over the threads, and the
 * first alpha move neither copies inputs nor runs on a thread whose code has never been optimized. Undefined for none.
 */
function leastBusyOf(threads: readonly PoolThread[]): PoolThread | undefined {
  const lighter = (t: PoolThread, best: PoolThread): boolean =>
    t.posted < best.posted || (t.posted === best.posted && t.resident.calculatedSize < best.resident.calculatedSize);
  return threads.reduce<PoolThread | undefined>((best, t) => (!best || lighter(t, best) ? t : best), undefined);
}

/** The error a scoring thread reported, as the error the serial path would have thrown. */
function replyError(error: Extract<ScoringReplyMessage, { error: unknown }>['error']): Error {
  if (error.code === undefined || error.fileName === undefined) return new Error(error.message);
  const prefix = `${error.fileName}: `;
  return new FqlabError(error.code, error.fileName, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
}

/**
 * A pool of scoring threads made on first use by `spawn`. Each job is posted to a thread at once (the thread queues it),
 * so a thread goes on to its next case without waiting for this thread's event loop, which in the browser's compute
 * worker can be held for seconds by inference. A thread keeps the inputs it was sent (a byte-budgeted LRU,
 * `residentBytes` a thread) and a job goes to the least busy thread that holds its inputs, with only its key and
 * settings, unless that thread has more than `holderQueueSlack` jobs beyond the least busy one; a job whose inputs no
 * thread holds (or whose holders are too busy) goes to the least busy thread with them (copied: the caller's caches keep theirs), and a
 * thread that evicted them meanwhile asks for them again. Each thread runs its jobs in call order; aborting a job's
 * signal rejects it at once and cancels it on its thread, which drops it if it has not started. The map comes back
 * transferred.
 */
export class ThreadScoringPool implements ScoringPool {
  private readonly threads: PoolThread[] = [];
  private readonly posted = new Map<number, PostedJob>();
  private readonly bySignal = new WeakMap<AbortSignal, Set<number>>();
  private nextId = 0;

  constructor(
    readonly size: number,
    private readonly spawn: () => ScoringPort,
    private readonly residentBytes = SCORING_POOL_SETTINGS.residentBytesPerThread,
    private readonly holderQueueSlack = SCORING_POOL_SETTINGS.holderQueueSlack,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ThreadScoringPool: size must be a positive integer, got ${size}`);
  }

  run(job: PooledScoringJob, signal?: AbortSignal): Promise<ScoringJobResult> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (this.threads.length < this.size) this.startThreads();
      const id = this.nextId++;
      const underSignal = signal ? this.jobsUnder(signal) : undefined;
      underSignal?.add(id);
      const leastBusy = leastBusyOf(this.threads) as PoolThread;
      const holder = leastBusyOf(this.threads.filter((t) => t.resident.has(job.inputsKey)));
      const thread = holder && holder.posted <= leastBusy.posted + this.holderQueueSlack ? holder : leastBusy;
      this.post(id, { job, thread, resolve, reject, underSignal }, !thread.resident.has(job.inputsKey));
    });
  }

  /** The posted jobs of a signal, which aborts them all. */
  private jobsUnder(signal: AbortSignal): Set<number> {
    let ids = this.bySignal.get(signal);
    if (!ids) {
      const jobs = (ids = new Set<number>());
      this.bySignal.set(signal, jobs);
      signal.addEventListener('abort', () => {
        for (const id of jobs) this.abort(id, signal.reason);
      }, { once: true });
    }
    return ids;
  }

  private startThreads(): void {
    for (let i = this.threads.length; i < this.size; i++) {
      const thread: PoolThread = { port: this.spawn(), resident: new LRUCache<string, number>({ maxSize: this.residentBytes }), posted: 0 };
      thread.port.onMessage((reply) => this.settle(reply));
      thread.port.onFailure((error) => this.fail(thread, error));
      this.threads.push(thread);
    }
  }

  /** Posts a job to its thread, with its inputs when asked (and then the mirror records them as the thread will). */
  private post(id: number, entry: PostedJob, withInputs: boolean): void {
    const { job, thread } = entry;
    let inputs: ScoringInputs | undefined;
    try {
      inputs = withInputs ? job.inputs() : undefined;
    } catch (error) {
      entry.underSignal?.delete(id);
      entry.reject(error);
      return;
    }
    if (inputs) thread.resident.set(job.inputsKey, 1, { size: scoringInputsBytes(inputs) });
    else thread.resident.get(job.inputsKey);
    thread.posted++;
    this.posted.set(id, entry);
    thread.port.post({ id, inputsKey: job.inputsKey, settings: job.settings, inputs });
  }

  /** Forgets an aborted job (its thread drops it unless it has started) and rejects it with the signal's reason. */
  private abort(id: number, reason: unknown): void {
    const entry = this.posted.get(id);
    if (!entry) return;
    this.posted.delete(id);
    entry.underSignal?.delete(id);
    entry.thread.posted--;
    entry.thread.port.post({ cancel: id });
    entry.reject(reason);
  }

  private settle(reply: ScoringReplyMessage): void {
    const entry = this.posted.get(reply.id);
    // An aborted job: its answer (a result if it had started, else that it was cancelled) is not needed.
    if (!entry || 'cancelled' in reply) return;
    this.posted.delete(reply.id);
    entry.thread.posted--;
    if ('missingInputs' in reply) {
      entry.thread.resident.delete(entry.job.inputsKey);
      this.post(reply.id, entry, true);
      return;
    }
    entry.underSignal?.delete(reply.id);
    if ('result' in reply) entry.resolve(reply.result);
    else entry.reject(replyError(reply.error));
  }

  /** A thread died: its jobs fail with the error, and a new thread takes its place on the next run. */
  private fail(thread: PoolThread, error: Error): void {
    const at = this.threads.indexOf(thread);
    // A thread this pool already stopped (dispose, or an earlier failure) reports its exit too.
    if (at < 0) return;
    this.threads.splice(at, 1);
    thread.port.terminate();
    for (const [id, entry] of this.posted) {
      if (entry.thread !== thread) continue;
      this.posted.delete(id);
      entry.underSignal?.delete(id);
      entry.reject(error);
    }
  }

  dispose(): void {
    for (const thread of this.threads) thread.port.terminate();
    const stopped = new Error('the scoring pool was stopped');
    for (const [id, entry] of this.posted) {
      entry.underSignal?.delete(id);
      entry.reject(stopped);
    }
    this.threads.length = 0;
    this.posted.clear();
  }
}
