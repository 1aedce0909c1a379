// Main-thread side of the compute worker: a typed comlink client that restarts a dead worker and replays its state.
import * as Comlink from 'comlink';
import type {
  BackendPreference,
  CaseSpec,
  FqlabWorkerApi,
  LayerFile,
  ModelInfo,
  ProgressCallback,
  SeriesFile,
  TrainConfig,
  TrainProgress,
  WebGpuKernelSet,
  WorkerError,
} from './api.ts';
import { isWorkerError } from '../src/session/sessionErrors.ts';
import { FqlabWorkerError } from './workerError.ts';

/** What the client needs of a Worker: a comlink endpoint that reports fatal errors and can be terminated. */
export type WorkerLike = Comlink.Endpoint & { terminate(): void };

/** Why the worker was replaced, and what could not be restored. */
export interface RestartReport {
  reason: string;
  /** Restored state that the new worker refused (e.g. a file that no longer parses), as worker errors. */
  replayErrors: WorkerError[];
}

export interface WorkerClientOptions {
  /** Spawns a worker; defaults to the module worker fqlab.worker.ts. Tests pass an in-process fake. */
  createWorker?: () => WorkerLike;
  /** Give up after this many restarts within `restartWindowMs` (a worker that dies on start would loop). */
  maxRestarts?: number;
  restartWindowMs?: number;
  /**
   * After an 'error' event the worker must answer a ping within this time or it is replaced (default 20 s; a
   * worker inside a long synchronous computation answers late, so keep this above the longest blocking step).
   */
  pingTimeoutMs?: number;
}

/** The worker API plus lifecycle controls for the UI. */
export interface FqlabWorkerClient extends FqlabWorkerApi {
  /** Replaces the worker now (e.g. after the user saw it hang), restoring files, cases, backend and model. */
  restart(reason?: string): Promise<RestartReport>;
  /** Called after every restart; returns an unsubscribe function. */
  onRestart(listener: (report: RestartReport) => void): () => void;
  /** Stops the worker for good. */
  terminate(): void;
  /** The bytes of a loaded file as the client keeps them (a copy), or null for an unknown id; no worker call. */
  fileBytes(fileId: string): ArrayBuffer | null;
}

function defaultWorker(): WorkerLike {
  return new Worker(new URL('./fqlab.worker.ts', import.meta.url), { type: 'module', name: 'fqlab-compute' });
}

/** The error every call in flight gets when the worker dies under it. */
function restartedError(reason: string): FqlabWorkerError {
  return new FqlabWorkerError({
    code: 'worker-restarted',
    fileName: '',
    message: `The compute worker stopped (${reason}) and was restarted. Loaded files, cases and the last model were restored; rerun the reconstruction or training that was running.`,
  });
}

function asClientError(error: unknown): unknown {
  if (error instanceof FqlabWorkerError) return error;
  return isWorkerError(error) ? new FqlabWorkerError(error) : error;
}

interface Generation {
  worker: WorkerLike;
  remote: Comlink.Remote<FqlabWorkerApi>;
  /** Rejects when this worker dies. */
  died: Promise<never>;
  kill: (reason: string) => void;
}

/**
 * Spawns the compute worker and returns the typed API the UI calls. The client keeps on the main thread what it
 * needs to rebuild the worker's state (a copy of each loaded file's bytes, the case specs, the backend preference and
 * the last checkpoint). When the worker fires 'error' or 'messageerror' and then does not answer a ping, it is
 * terminated, a new one is spawned and that state is replayed with the same file ids; calls in flight reject with
 * code 'worker-restarted'. `restart()` does the same on demand.
 * @example
 * const client = createWorkerClient();
 * const info = await client.loadFile(file.name, await file.arrayBuffer());
 */
export function createWorkerClient(options: WorkerClientOptions = {}): FqlabWorkerClient {
  const createWorker = options.createWorker ?? defaultWorker;
  const maxRestarts = options.maxRestarts ?? 3;
  const restartWindowMs = options.restartWindowMs ?? 60_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
  const files = new Map<string, { fileName: string; bytes: ArrayBuffer }>();
  /** DICOM series by loaded file id; outputs of one conversion share the files object. */
  const seriesOutputs = new Map<string, { folderName: string; files: SeriesFile[]; fileName: string }>();
  const cases = new Map<string, CaseSpec>();
  let backend: BackendPreference | null = null;
  let webgpuKernels: WebGpuKernelSet | null = null;
  /** The current model's checkpoint and what refusals call it (its file name, or the training run it came from). */
  let checkpoint: { bytes: Uint8Array; fileName: string } | null = null;
  /** Checkpoints of the models kept for comparison, by model id, replayed like the current one. */
  const comparisonCheckpoints = new Map<string, { bytes: Uint8Array; fileName: string }>();
  const listeners = new Set<(report: RestartReport) => void>();
  const restarts: number[] = [];
  let terminated = false;
  /** Set once the client gave up on restarting: every later call fails with it. */
  let failure: FqlabWorkerError | null = null;
  let current: Generation = spawn();
  let restoring: Promise<RestartReport> | null = null;

  function spawn(): Generation {
    const worker = createWorker();
    const remote = Comlink.wrap<FqlabWorkerApi>(worker);
    let kill: (reason: string) => void = () => undefined;
    const died = new Promise<never>((_, reject) => {
      kill = (reason) => reject(restartedError(reason));
    });
    died.catch(() => undefined);
    const generation: Generation = { worker, remote, died, kill };
    // An 'error' event is not always fatal (e.g. an uncaught error bubbling up from a worker that tfjs started), so
    // the worker is only replaced when it then fails to answer a ping.
    const onError = (event: Event): void => {
      const message = (event as ErrorEvent).message;
      void checkAlive(generation, message ? `worker error: ${message}` : `worker ${event.type}`);
    };
    worker.addEventListener('error', onError);
    worker.addEventListener('messageerror', onError);
    return generation;
  }

  let checking: Promise<void> | null = null;

  /** Pings the worker after an error event; replaces it unless it answers within `pingTimeoutMs`. */
  function checkAlive(generation: Generation, reason: string): Promise<void> {
    checking ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), pingTimeoutMs)));
      const answer = await Promise.race([generation.remote.diagnostics().then(() => 'alive' as const, () => 'alive' as const), timeout, generation.died.catch(() => 'dead' as const)]);
      clearTimeout(timer);
      checking = null;
      if (answer === 'timeout') await replaceWorker(generation, reason);
    })();
    return checking;
  }

  async function replaceWorker(dead: Generation, reason: string): Promise<RestartReport> {
    if (dead !== current) return restoring ?? { reason, replayErrors: [] };
    const now = Date.now();
    while (restarts.length > 0 && now - restarts[0] > restartWindowMs) restarts.shift();
    restarts.push(now);
    dead.kill(reason);
    dead.remote[Comlink.releaseProxy]();
    dead.worker.terminate();
    if (terminated) return { reason, replayErrors: [] };
    if (restarts.length > maxRestarts) {
      terminated = true;
      failure = new FqlabWorkerError({
        code: 'worker-failed',
        fileName: '',
        message: `The compute worker stopped ${restarts.length} times within ${restartWindowMs / 1000} s (last: ${reason}); reload the page.`,
      });
      return { reason, replayErrors: [] };
    }
    current = spawn();
    restoring = replay(current, reason);
    try {
      const report = await restoring;
      for (const listener of listeners) listener(report);
      return report;
    } finally {
      restoring = null;
    }
  }

  /** Rebuilds a fresh worker's state: backend, files (same ids), cases, model. */
  async function replay(generation: Generation, reason: string): Promise<RestartReport> {
    const replayErrors: WorkerError[] = [];
    const attempt = async (work: () => Promise<unknown>): Promise<void> => {
      try {
        await Promise.race([work(), generation.died]);
      } catch (error) {
        const e = asClientError(error);
        if (e instanceof FqlabWorkerError) replayErrors.push({ code: e.code, fileName: e.fileName, message: e.message });
        else replayErrors.push({ code: 'internal', fileName: '', message: String(e) });
      }
    };
    const remote = generation.remote;
    if (backend) {
      const preference = backend;
      await attempt(() => remote.initBackend(preference));
    }
    if (webgpuKernels) {
      const set = webgpuKernels;
      await attempt(() => remote.setWebGpuKernels(set));
    }
    for (const [fileId, file] of files) {
      const copy = file.bytes.slice(0);
      await attempt(() => remote.loadFile(file.fileName, Comlink.transfer(copy, [copy]), fileId));
    }
    const conversions = new Map<SeriesFile[], { folderName: string; fileIds: Record<string, string> }>();
    for (const [fileId, output] of seriesOutputs) {
      const conversion = conversions.get(output.files) ?? { folderName: output.folderName, fileIds: {} };
      conversion.fileIds[output.fileName] = fileId;
      conversions.set(output.files, conversion);
    }
    for (const [seriesFiles, { folderName, fileIds }] of conversions) {
      await attempt(() => remote.loadDicomSeries(folderName, seriesFiles, fileIds));
    }
    for (const spec of cases.values()) await attempt(() => remote.defineCase(spec));
    if (checkpoint) {
      const { bytes, fileName } = checkpoint;
      const copy = bytes.slice();
      await attempt(() => remote.loadCheckpoint(Comlink.transfer(copy, [copy.buffer]), fileName));
    }
    for (const { bytes, fileName } of comparisonCheckpoints.values()) {
      const copy = bytes.slice();
      await attempt(() => remote.addComparisonModel(Comlink.transfer(copy, [copy.buffer]), fileName));
    }
    return { reason, replayErrors };
  }

  /** Runs one call on the current worker (after any restore), racing it against the worker's death. */
  async function call<T>(run: (remote: Comlink.Remote<FqlabWorkerApi>) => Promise<T>): Promise<T> {
    if (restoring) await restoring;
    if (failure) throw failure;
    const generation = current;
    try {
      return await Promise.race([run(generation.remote), generation.died]);
    } catch (error) {
      throw asClientError(error);
    }
  }

  const progress = <T>(callback: ProgressCallback<T>): ProgressCallback<T> => Comlink.proxy(callback);

  const client: FqlabWorkerClient = {
    async initBackend(preference) {
      const info = await call((r) => r.initBackend(preference));
      backend = preference;
      return info;
    },
    diagnostics: () => call((r) => r.diagnostics()),
    async setWebGpuKernels(set) {
      await call((r) => r.setWebGpuKernels(set));
      webgpuKernels = set;
    },
    async backendCheck(preference, checkOptions) {
      const result = await call((r) => r.backendCheck(preference, checkOptions));
      backend = preference;
      return result;
    },
    async loadFile(fileName, bytes, fileId) {
      // The caller's buffer stays usable; a copy goes to the worker (transferred) and the original is kept for replay.
      const copy = bytes.slice(0);
      const info = await call((r) => r.loadFile(fileName, Comlink.transfer(copy, [copy]), fileId));
      files.set(info.fileId, { fileName, bytes });
      return info;
    },
    async loadDicomSeries(folderName, seriesFiles, fileIds) {
      // The files are copied to the worker (structured clone) and kept here for replay.
      const infos = await call((r) => r.loadDicomSeries(folderName, seriesFiles, fileIds));
      for (const info of infos) seriesOutputs.set(info.fileId, { folderName, files: seriesFiles, fileName: info.fileName });
      return infos;
    },
    async removeFile(fileId) {
      await call((r) => r.removeFile(fileId));
      files.delete(fileId);
      seriesOutputs.delete(fileId);
    },
    async registerAndSkullStrip(fileId, onProgress) {
      const result = await call((r) => r.registerAndSkullStrip(fileId, progress(onProgress)));
      // Kept like a loaded file, so a restarted worker gets the mask back under the same id.
      files.set(result.mask.fileId, { fileName: result.mask.fileName, bytes: result.bytes.slice().buffer });
      return result;
    },
    async defineCase(spec) {
      const info = await call((r) => r.defineCase(spec));
      cases.set(spec.caseId, { ...spec });
      return info;
    },
    async removeCase(caseId) {
      await call((r) => r.removeCase(caseId));
      cases.delete(caseId);
    },
    async train(config: TrainConfig, onProgress: ProgressCallback<TrainProgress>): Promise<ModelInfo> {
      const info = await call((r) => r.train(config, progress(onProgress)));
      checkpoint = { bytes: await call((r) => r.saveCheckpoint()), fileName: 'trained model' };
      return info;
    },
    pauseTraining: () => call((r) => r.pauseTraining()),
    resumeTraining: () => call((r) => r.resumeTraining()),
    cancelTraining: () => call((r) => r.cancelTraining()),
    reconstruct: (request, onProgress) => call((r) => r.reconstruct(request, progress(onProgress))),
    score: (request, onViewedCase) => call((r) => r.score(request, onViewedCase ? progress(onViewedCase) : undefined)),
    scoreSeeds: (request, seeds, onProgress) => call((r) => r.scoreSeeds(request, seeds, progress(onProgress))),
    prCurve: (request) => call((r) => r.prCurve(request)),
    sweep: (request, onProgress) => call((r) => r.sweep(request, progress(onProgress))),
    getLayer: (request): Promise<LayerFile> => call((r) => r.getLayer(request)),
    exportLayer: (request): Promise<LayerFile> => call((r) => r.exportLayer(request)),
    async saveCheckpoint() {
      const bytes = await call((r) => r.saveCheckpoint());
      checkpoint = { bytes: bytes.slice(), fileName: checkpoint?.fileName ?? 'trained model' };
      return bytes;
    },
    async loadCheckpoint(bytes, fileName) {
      const copy = bytes.slice();
      const info = await call((r) => r.loadCheckpoint(Comlink.transfer(copy, [copy.buffer]), fileName));
      checkpoint = { bytes: bytes.slice(), fileName };
      return info;
    },
    methods: () => call((r) => r.methods()),
    async addComparisonModel(bytes, fileName) {
      const copy = bytes.slice();
      const info = await call((r) => r.addComparisonModel(Comlink.transfer(copy, [copy.buffer]), fileName));
      comparisonCheckpoints.set(info.modelId, { bytes: bytes.slice(), fileName });
      return info;
    },
    async removeComparisonModel(modelId) {
      await call((r) => r.removeComparisonModel(modelId));
      comparisonCheckpoints.delete(modelId);
    },
    untrainedCheckpoint: (config) => call((r) => r.untrainedCheckpoint(config)),
    restart: (reason = 'restarted by the user') => replaceWorker(current, reason),
    onRestart(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fileBytes(fileId) {
      return files.get(fileId)?.bytes.slice(0) ?? null;
    },
    terminate() {
      terminated = true;
      current.kill('terminated');
      current.worker.terminate();
    },
  };
  return client;
}
