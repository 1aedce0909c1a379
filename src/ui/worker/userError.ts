// Turns anything thrown across the worker boundary into a file name plus an actionable message for the error banner.
import type { WorkerError } from '../../../workers/api.ts';

function isWorkerError(value: unknown): value is WorkerError {
  return typeof value === 'object' && value !== null && 'message' in value && typeof (value as { message: unknown }).message === 'string';
}

/** The file the error names (its own `fileName` if it has one, else the fallback) and its message without a repeated "file: " prefix. */
export function toUserError(error: unknown, fallbackFileName = ''): { fileName: string; message: string } {
  if (isWorkerError(error)) {
    const fileName = typeof error.fileName === 'string' && error.fileName !== '' ? error.fileName : fallbackFileName;
    const prefix = `${fileName}: `;
    const message = fileName !== '' && error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    return { fileName, message };
  }
  return { fileName: fallbackFileName, message: String(error) };
}
