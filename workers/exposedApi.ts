// Wraps the worker implementation for comlink: every throw becomes a plain WorkerError, and large results are transferred.
import * as Comlink from 'comlink';
import type { FqlabWorkerApi, ViewedCaseScore } from './api.ts';
import { toWorkerError } from './workerError.ts';

type ApiMethod = keyof FqlabWorkerApi;
type ResultOf<M extends ApiMethod> = Awaited<ReturnType<FqlabWorkerApi[M]>>;

/** Every method of the API, once: a method missing here (or one the API lacks) is a type error, not a silent gap. */
const API_METHODS: Record<ApiMethod, true> = {
  initBackend: true,
  diagnostics: true,
  setWebGpuKernels: true,
  backendCheck: true,
  loadFile: true,
  loadDicomSeries: true,
  removeFile: true,
  registerAndSkullStrip: true,
  defineCase: true,
  removeCase: true,
  train: true,
  pauseTraining: true,
  resumeTraining: true,
  cancelTraining: true,
  reconstruct: true,
  score: true,
  scoreSeeds: true,
  prCurve: true,
  sweep: true,
  getLayer: true,
  exportLayer: true,
  saveCheckpoint: true,
  loadCheckpoint: true,
  methods: true,
  addComparisonModel: true,
  removeComparisonModel: true,
  untrainedCheckpoint: true,
};

/** Results whose buffers move to the main thread instead of being copied. */
const TRANSFERS: { [M in ApiMethod]?: (result: ResultOf<M>) => Transferable[] } = {
  backendCheck: (result) => [result.output.buffer],
  registerAndSkullStrip: (result) => [result.bytes.buffer],
  getLayer: (file) => [file.bytes.buffer],
  exportLayer: (file) => [file.bytes.buffer],
  saveCheckpoint: (bytes) => [bytes.buffer],
  untrainedCheckpoint: (bytes) => [bytes.buffer],
};

/** Callbacks (by method and argument position) whose argument's buffers move to the main thread: the viewed case's map. */
const CALLBACK_TRANSFERS: { [M in ApiMethod]?: { argument: number; transfer: (value: never) => Transferable[] } } = {
  score: { argument: 1, transfer: (viewed: ViewedCaseScore) => [viewed.map.buffer] },
};

/** Methods whose first argument names the file or case the call is about (a string, or a request with a caseId). */
const SUBJECT_METHODS: ReadonlySet<ApiMethod> = new Set<ApiMethod>(['loadFile', 'loadDicomSeries', 'registerAndSkullStrip', 'removeCase', 'defineCase', 'getLayer', 'exportLayer']);

/** The file or case a call is about, so errors without their own file name still land somewhere useful. */
function subjectOf(method: ApiMethod, args: readonly unknown[]): string {
  if (!SUBJECT_METHODS.has(method)) return '';
  const first = args[0];
  if (typeof first === 'string') return first;
  return typeof first === 'object' && first !== null && typeof (first as { caseId?: unknown }).caseId === 'string' ? (first as { caseId: string }).caseId : '';
}

/**
 * The object fqlab.worker.ts exposes: same methods as `impl`, but a rejected call rejects with a plain
 * {code, fileName, message} (structured-cloned whole, unlike Error objects), and layer and checkpoint bytes (and the viewed
 * case's map) move to the main thread without a copy.
 */
export function exposedApi(impl: FqlabWorkerApi): FqlabWorkerApi {
  const wrapped: Partial<Record<ApiMethod, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const method of Object.keys(API_METHODS) as ApiMethod[]) {
    const call = impl[method] as (...args: unknown[]) => Promise<unknown>;
    const transfer = TRANSFERS[method] as ((result: unknown) => Transferable[]) | undefined;
    const callbackTransfer = CALLBACK_TRANSFERS[method];
    wrapped[method] = async (...args) => {
      if (callbackTransfer && typeof args[callbackTransfer.argument] === 'function') {
        const callback = args[callbackTransfer.argument] as (value: unknown) => unknown;
        const transfer = callbackTransfer.transfer as (value: unknown) => Transferable[];
        args[callbackTransfer.argument] = (value: unknown) => callback(Comlink.transfer(value, transfer(value)));
      }
      let result: unknown;
      try {
        result = await call.apply(impl, args);
      } catch (error) {
        throw toWorkerError(error, subjectOf(method, args));
      }
      return transfer ? Comlink.transfer(result, transfer(result)) : result;
    };
  }
  return wrapped as unknown as FqlabWorkerApi;
}
