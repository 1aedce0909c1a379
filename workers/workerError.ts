// Errors across the worker boundary: the worker throws plain {code, fileName, message} objects (comlink keeps only
// an Error's message, but clones plain objects whole); the client turns them back into FqlabWorkerError instances.
import { FqlabError } from '../src/core/errors.ts';
import type { WorkerError } from './api.ts';

/** Codes the worker adds to the core's FqlabErrorCode for problems that are not about one input file. */
export type WorkerErrorCode = 'internal' | 'no-model' | 'stale-model' | 'busy' | 'cancelled' | 'superseded' | 'worker-restarted' | 'worker-failed' | 'unavailable';

/** True for anything shaped like a WorkerError (a plain object after structured clone, or an FqlabWorkerError). */
export function isWorkerError(value: unknown): value is WorkerError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.fileName === 'string' && typeof v.message === 'string';
}

/**
 * The plain object to throw from a worker method for any error: FqlabErrors keep code and file; other errors become
 * 'internal' with `fallbackFileName` (the file or case the call was about) so the UI can still place them.
 */
export function toWorkerError(error: unknown, fallbackFileName = ''): WorkerError {
  if (error instanceof FqlabError) return { code: error.code, fileName: error.fileName, message: error.message };
  if (isWorkerError(error)) return { code: error.code, fileName: error.fileName, message: error.message };
  const detail = error instanceof Error ? error.message : String(error);
  const where = fallbackFileName ? `${fallbackFileName}: ` : '';
  return { code: 'internal', fileName: fallbackFileName, message: `${where}${detail}` };
}

/** A worker error on the main thread: an Error (stack, instanceof) that also carries code and fileName. */
export class FqlabWorkerError extends Error implements WorkerError {
  readonly code: string;
  readonly fileName: string;

  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'FqlabWorkerError';
    this.code = error.code;
    this.fileName = error.fileName;
  }
}

/** A plain worker-side error that is not about a file (busy, no model, cancelled). */
export function workerError(code: WorkerErrorCode, fileName: string, message: string): WorkerError {
  return { code, fileName, message };
}
