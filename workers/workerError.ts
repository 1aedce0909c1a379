// Errors across the worker boundary: the worker throws plain {code, fileName, message} objects (comlink keeps only
// an Error's message, but clones plain objects whole); the client turns them back into FqlabWorkerError instances.
import { FqlabError } from '../src/core/errors.ts';
import { isWorkerError, type WorkerError } from '../src/session/sessionErrors.ts';

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
