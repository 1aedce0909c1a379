// The plain {code, fileName, message} error the session throws and that crosses the worker boundary whole, and its codes.

/** Codes the session adds to the core's FqlabErrorCode for problems that are not about one input file. */
export type WorkerErrorCode = 'internal' | 'no-model' | 'stale-model' | 'busy' | 'cancelled' | 'superseded' | 'worker-restarted' | 'worker-failed' | 'unavailable';

/** A user-facing error crossing the worker boundary: code, file and an actionable message. */
export interface WorkerError {
  code: string;
  fileName: string;
  message: string;
}

/** True for anything shaped like a WorkerError (a plain object after structured clone, or an FqlabWorkerError). */
export function isWorkerError(value: unknown): value is WorkerError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.fileName === 'string' && typeof v.message === 'string';
}

/** A plain session error that is not about a file (busy, no model, cancelled). */
export function workerError(code: WorkerErrorCode, fileName: string, message: string): WorkerError {
  return { code, fileName, message };
}
