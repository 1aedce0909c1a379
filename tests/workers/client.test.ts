// Tests the main-thread worker client in Node over a MessageChannel: typed errors, and restart with state replay (files, DICOM series, cases, compared models).
import { readdirSync, readFileSync } from 'node:fs';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { writeNifti } from '../../src/core/nifti/index.ts';
import { nodeScanReaders } from '../../src/formats/readers.node.ts';
import type { Volume } from '../../src/core/volume.ts';
import { createWorkerClient, type WorkerClientOptions, type WorkerLike } from '../../workers/client.ts';
import { exposedApi } from '../../workers/exposedApi.ts';
import { Session } from '../../src/session/session.ts';
import { FqlabWorkerError } from '../../workers/workerError.ts';

/** An in-process stand-in for a Web Worker: the API is exposed on the other end of a MessageChannel. */
class FakeWorker extends EventTarget implements WorkerLike {
  readonly impl = new Session({ scanReaders: nodeScanReaders });
  private readonly port: MessagePort;
  terminated = false;

  constructor() {
    super();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(exposedApi(this.impl), port2);
    this.port = port1;
    this.port.start();
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.port.postMessage(message, transfer ?? []);
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.addEventListener('message', listener as EventListener);
    else super.addEventListener(type, listener);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.removeEventListener('message', listener as EventListener);
    else super.removeEventListener(type, listener);
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
  }

  /** Stops answering (like a dead worker) and fires 'error'. */
  crash(): void {
    this.port.close();
    this.dispatchEvent(new Event('error'));
  }

  /** Fires 'error' but keeps working (an uncaught error from a nested worker). */
  hiccup(): void {
    this.dispatchEvent(new Event('error'));
  }
}

function ball(dims: readonly [number, number, number]): Volume {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const r = ((i - nx / 2) / (nx / 3)) ** 2 + ((j - ny / 2) / (ny / 3)) ** 2 + ((k - nz / 2) / (nz / 3)) ** 2;
        data[i + nx * (j + ny * k)] = r < 1 ? 100 + i : 0;
      }
  const affine = new Float64Array(16);
  affine[0] = affine[5] = affine[10] = affine[15] = 1;
  return { dims, data, affine, spacing: [1, 1, 1] };
}

const bytesOf = (v: Volume): ArrayBuffer => writeNifti(v, { gzip: true }).slice().buffer as ArrayBuffer;

/** A client whose workers are FakeWorkers, each one kept in `workers` in the order the client started them. */
function clientOverFakeWorkers(options: Omit<WorkerClientOptions, 'createWorker'>) {
  const workers: FakeWorker[] = [];
  const createWorker = (): FakeWorker => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  };
  return { workers, client: createWorkerClient({ ...options, createWorker }) };
}

describe('createWorkerClient', () => {
  it('turns worker refusals into FqlabWorkerError with code and file name', async () => {
    const client = createWorkerClient({ createWorker: () => new FakeWorker() });
    const error = await client.loadFile('junk.nii.gz', new Uint8Array(600).fill(3).buffer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FqlabWorkerError);
    expect(error).toMatchObject({ code: 'not-nifti', fileName: 'junk.nii.gz' });
    expect((error as Error).message).toMatch(/^junk\.nii\.gz: /);
    client.terminate();
  });

  it('leaves the caller\'s buffer usable', async () => {
    const client = createWorkerClient({ createWorker: () => new FakeWorker() });
    const bytes = bytesOf(ball([20, 20, 12]));
    await client.loadFile('a.nii.gz', bytes);
    expect(bytes.byteLength).toBeGreaterThan(0);
    client.terminate();
  });

  it('restarts a crashed worker and replays files (same ids) and cases; calls in flight reject', async () => {
    const { workers, client } = clientOverFakeWorkers({ pingTimeoutMs: 200 });
    const reports: unknown[] = [];
    client.onRestart((r) => reports.push(r));
    const image = await client.loadFile('sub_T2.nii.gz', bytesOf(ball([30, 30, 16])));
    const other = await client.loadFile('other_T2.nii.gz', bytesOf(ball([24, 24, 12])));
    await client.removeFile(other.fileId);
    await client.defineCase({ caseId: 'sub', imageFileId: image.fileId, modality: 'T2', split: 'test' });

    // An error event from a worker that still answers is not fatal.
    workers[0].hiccup();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(workers).toHaveLength(1);

    // A call still in flight when the worker dies rejects with 'worker-restarted'.
    const inFlight = client.reconstruct({ modelId: 'any', caseIds: ['sub'], noiseLevel: 500, seed: 1 }, () => undefined).catch((e: unknown) => e);
    workers[0].crash();
    const error = await inFlight;
    expect(error).toBeInstanceOf(FqlabWorkerError);
    expect((error as FqlabWorkerError).code).toBe('worker-restarted');

    await client.diagnostics(); // waits for the replay
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    const fresh = workers[1].impl;
    expect(fresh.files.get(image.fileId, 'image').info.fileName).toBe('sub_T2.nii.gz');
    expect(() => fresh.files.get(other.fileId, 'image')).toThrow(/no loaded file/);
    expect(fresh.pipeline.cases.get('sub').caseId).toBe('sub');
    expect(reports).toEqual([{ reason: 'worker error', replayErrors: [] }]);
    // The restored worker works as before.
    const layer = await client.getLayer({ caseId: 'sub', layer: 'image' });
    expect(layer.bytes.length).toBeGreaterThan(348);
    client.terminate();
  });

  it('replays the models kept for comparison after a restart, but not one that was removed', async () => {
    const { workers, client } = clientOverFakeWorkers({ pingTimeoutMs: 200 });
    await client.initBackend('wasm');
    const demoModel = (name: string) => new Uint8Array(readFileSync(new URL(`../../public/demo/models/${name}`, import.meta.url)));
    const kept = await client.addComparisonModel(demoModel('pddpm.fqlab'), 'pddpm.fqlab');
    const removed = await client.addComparisonModel(demoModel('pddpm-iqa.fqlab'), 'pddpm-iqa.fqlab');
    await client.removeComparisonModel(removed.modelId);
    const restarted = new Promise((resolve) => client.onRestart(resolve));
    workers[0].crash();
    expect(await restarted).toEqual({ reason: 'worker error', replayErrors: [] });
    // The fresh worker takes requests for the kept model's id (no case: nothing to reconstruct), not the removed one's.
    const nothing = { caseIds: [], noiseLevel: 500, seed: 0 };
    await expect(workers[1].impl.reconstruct({ ...nothing, modelId: kept.modelId }, () => undefined)).resolves.toBeUndefined();
    await expect(workers[1].impl.reconstruct({ ...nothing, modelId: removed.modelId }, () => undefined)).rejects.toMatchObject({ code: 'no-model' });
    client.terminate();
  });

  it('replays DICOM series (same ids) after a restart, but not an output that was removed', async () => {
    const { workers, client } = clientOverFakeWorkers({ pingTimeoutMs: 200 });
    const folder = new URL('../fixtures/formats/dicom/', import.meta.url);
    const files = readdirSync(folder).map((name) => ({ path: `T2/${name}`, bytes: new Uint8Array(readFileSync(new URL(name, folder))) }));
    const [kept] = await client.loadDicomSeries('T2', files);
    const [removed] = await client.loadDicomSeries('copy', files);
    await client.removeFile(removed.fileId);
    const restarted = new Promise((resolve) => client.onRestart(resolve));
    workers[0].crash();
    expect(await restarted).toEqual({ reason: 'worker error', replayErrors: [] });
    const fresh = workers[1].impl;
    expect(fresh.files.get(kept.fileId, 'image').info.fileName).toBe('T2/3_T2_synthetic');
    expect(() => fresh.files.get(removed.fileId, 'image')).toThrow(/no loaded file/);
    client.terminate();
  });

  it('gives up after too many restarts in a row', async () => {
    const { workers, client } = clientOverFakeWorkers({ maxRestarts: 1, pingTimeoutMs: 100 });
    workers[0].crash();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.diagnostics();
    workers[1].crash();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const error = await client.diagnostics().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'worker-failed' });
    expect(workers).toHaveLength(2);
  });
});
