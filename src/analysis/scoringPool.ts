// Runs scoring jobs on several threads (Web Workers, worker_threads) or in-process, one job a thread at a time, abortable between jobs.
import { FqlabError, type FqlabErrorCode } from '../core/errors.ts';
import { runScoringJob, type ScoringJob, type ScoringJobResult } from './scoringJob.ts';

/** Scores cases: `run` resolves with exactly what runScoringJob returns on this thread. */
export interface ScoringPool {
  /** Jobs that run at once. */
  readonly size: number;
  /** Runs a job when a thread is free; rejects with the signal's reason if it is aborted before the job starts. */
  run(job: ScoringJob, signal?: AbortSignal): Promise<ScoringJobResult>;
  /** Stops the threads (pending jobs reject). */
  dispose(): void;
}

/** A job posted to a scoring thread. */
export interface ScoringRequestMessage {
  id: number;
  job: ScoringJob;
}

/** A scoring thread's answer: the result, or the error it threw (an FqlabError keeps its code and file). */
export type ScoringReplyMessage =
  | { id: number; result: ScoringJobResult }
  | { id: number; error: { message: string; code?: FqlabErrorCode; fileName?: string } };

/** The main-thread end of one scoring thread (a Web Worker or a worker_threads Worker, wrapped). */
export interface ScoringPort {
  post(message: ScoringRequestMessage): void;
  onMessage(listener: (message: ScoringReplyMessage) => void): void;
  /** The thread died (failed to load, crashed): every job on it fails with this error. */
  onFailure(listener: (error: Error) => void): void;
  terminate(): void;
}

/** The thread end: answers every job it is posted, transferring the map back. */
export function serveScoring(thread: {
  onMessage(listener: (message: ScoringRequestMessage) => void): void;
  post(message: ScoringReplyMessage, transfer: ArrayBuffer[]): void;
}): void {
  let scratch: Float32Array | undefined;
  thread.onMessage(({ id, job }) => {
    try {
      if (scratch?.length !== job.l1.length) scratch = new Float32Array(job.l1.length);
      const result = runScoringJob(job, scratch);
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

  run(job: ScoringJob, signal?: AbortSignal): Promise<ScoringJobResult> {
    const next = this.tail.then(async () => {
      await yieldToEvents();
      signal?.throwIfAborted();
      if (this.scratch?.length !== job.l1.length) this.scratch = new Float32Array(job.l1.length);
      return runScoringJob(job, this.scratch);
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  dispose(): void {}
}

interface QueuedJob {
  job: ScoringJob;
  signal?: AbortSignal;
  resolve: (result: ScoringJobResult) => void;
  reject: (error: unknown) => void;
}

/** The error a scoring thread reported, as the error the serial path would have thrown. */
function replyError(error: Extract<ScoringReplyMessage, { error: unknown }>['error']): Error {
  if (error.code === undefined || error.fileName === undefined) return new Error(error.message);
  const prefix = `${error.fileName}: `;
  return new FqlabError(error.code, error.fileName, error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message);
}

/**
 * A pool of scoring threads made on first use by `spawn`. Jobs queue in call order and each goes to the first idle
 * thread; a job whose signal is aborted while queued never starts. The job's arrays are copied to the thread (the
 * caller's caches keep theirs); the map comes back transferred.
 */
export class ThreadScoringPool implements ScoringPool {
  private readonly ports: ScoringPort[] = [];
  private readonly idle: ScoringPort[] = [];
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Map<number, { port: ScoringPort; queued: QueuedJob }>();
  private nextId = 0;

  constructor(
    readonly size: number,
    private readonly spawn: () => ScoringPort,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ThreadScoringPool: size must be a positive integer, got ${size}`);
  }

  run(job: ScoringJob, signal?: AbortSignal): Promise<ScoringJobResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, signal, resolve, reject });
      this.dispatch();
    });
  }

  private startThreads(): void {
    for (let i = this.ports.length; i < this.size; i++) {
      const port = this.spawn();
      port.onMessage((reply) => this.settle(port, reply));
      port.onFailure((error) => this.fail(port, error));
      this.ports.push(port);
      this.idle.push(port);
    }
  }

  private dispatch(): void {
    if (this.ports.length === 0) this.startThreads();
    while (this.queue.length > 0 && this.idle.length > 0) {
      const queued = this.queue.shift() as QueuedJob;
      if (queued.signal?.aborted) {
        queued.reject(queued.signal.reason);
        continue;
      }
      const port = this.idle.pop() as ScoringPort;
      const id = this.nextId++;
      this.running.set(id, { port, queued });
      port.post({ id, job: queued.job });
    }
  }

  private settle(port: ScoringPort, reply: ScoringReplyMessage): void {
    const entry = this.running.get(reply.id);
    if (!entry) return;
    this.running.delete(reply.id);
    this.idle.push(port);
    if ('result' in reply) entry.queued.resolve(reply.result);
    else entry.queued.reject(replyError(reply.error));
    this.dispatch();
  }

  private fail(port: ScoringPort, error: Error): void {
    const at = this.ports.indexOf(port);
    // A thread this pool already stopped (dispose, or an earlier failure) reports its exit too.
    if (at < 0) return;
    for (const [id, entry] of this.running) {
      if (entry.port !== port) continue;
      this.running.delete(id);
      entry.queued.reject(error);
    }
    // A dead thread is replaced on the next dispatch.
    this.ports.splice(at, 1);
    port.terminate();
    const idleAt = this.idle.indexOf(port);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (this.queue.length > 0) {
      this.startThreads();
      this.dispatch();
    }
  }

  dispose(): void {
    for (const port of this.ports) port.terminate();
    const stopped = new Error('the scoring pool was stopped');
    for (const { queued } of this.running.values()) queued.reject(stopped);
    for (const queued of this.queue) queued.reject(stopped);
    this.ports.length = 0;
    this.idle.length = 0;
    this.queue.length = 0;
    this.running.clear();
  }
}
