// Wraps the worker implementation for comlink: every throw becomes a plain WorkerError, and large results are transferred.
import * as Comlink from 'comlink';
import type { FqlabWorkerApi, LayerFile } from './api.ts';
import { toWorkerError } from './workerError.ts';

type ApiMethod = keyof FqlabWorkerApi;

/** The file or case a call is about, so errors without their own file name still land somewhere useful. */
function subjectOf(method: ApiMethod, args: readonly unknown[]): string {
  const first = args[0];
  if (['defineCase', 'getLayer', 'exportLayer'].includes(method) && typeof first === 'object' && first !== null) return (first as { caseId: string }).caseId;
  return typeof first === 'string' && ['loadFile', 'loadDicomSeries', 'removeCase', 'registerAndSkullStrip'].includes(method) ? first : '';
}

function transferLayer(file: LayerFile): LayerFile {
  return Comlink.transfer(file, [file.bytes.buffer]);
}

/**
 * The object fqlab.worker.ts exposes: same methods as `impl`, but a rejected call rejects with a plain
 * {code, fileName, message} (structured-cloned whole, unlike Error objects), and layer and checkpoint bytes move
 * to the main thread without a copy.
 */
export function exposedApi(impl: FqlabWorkerApi): FqlabWorkerApi {
  const wrap =
    <M extends ApiMethod>(method: M) =>
    async (...args: Parameters<FqlabWorkerApi[M]>): Promise<Awaited<ReturnType<FqlabWorkerApi[M]>>> => {
      try {
        const fn = impl[method] as (...a: Parameters<FqlabWorkerApi[M]>) => ReturnType<FqlabWorkerApi[M]>;
        return (await fn.apply(impl, args)) as Awaited<ReturnType<FqlabWorkerApi[M]>>;
      } catch (error) {
        throw toWorkerError(error, subjectOf(method, args));
      }
    };
  return {
    initBackend: wrap('initBackend'),
    diagnostics: wrap('diagnostics'),
    backendCheck: async (preference, options) => {
      const result = await wrap('backendCheck')(preference, options);
      return Comlink.transfer(result, [result.output.buffer]);
    },
    loadFile: wrap('loadFile'),
    loadDicomSeries: wrap('loadDicomSeries'),
    removeFile: wrap('removeFile'),
    registerAndSkullStrip: async (fileId, onProgress) => {
      const result = await wrap('registerAndSkullStrip')(fileId, onProgress);
      return Comlink.transfer(result, [result.bytes.buffer]);
    },
    defineCase: wrap('defineCase'),
    removeCase: wrap('removeCase'),
    train: wrap('train'),
    pauseTraining: wrap('pauseTraining'),
    resumeTraining: wrap('resumeTraining'),
    cancelTraining: wrap('cancelTraining'),
    reconstruct: wrap('reconstruct'),
    score: wrap('score'),
    sweep: wrap('sweep'),
    getLayer: async (request) => transferLayer(await wrap('getLayer')(request)),
    exportLayer: async (request) => transferLayer(await wrap('exportLayer')(request)),
    saveCheckpoint: async () => {
      const bytes = await wrap('saveCheckpoint')();
      return Comlink.transfer(bytes, [bytes.buffer]);
    },
    loadCheckpoint: wrap('loadCheckpoint'),
  };
}
