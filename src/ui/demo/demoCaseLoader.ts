// Loads the demo's cases into the workbench in the background, downloading the next case while the worker parses this one.
import type { CaseSpec, VolumeRole } from '../../../workers/api.ts';
import { addCase, loadFiles } from '../actions/dataActions.ts';
import { useDataStore, type CaseEntry } from '../stores/dataStore.ts';
import { setDemo, useDemoStore } from '../stores/demoStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import type { DemoCase } from './demoManifest.ts';
import { fetchBytes } from './demoFiles.ts';

const SPLIT_RANK = { test: 0, validation: 1, 'healthy-train': 2 } as const;

/** Demo cases sit in the case list tests first, then validation, then training (the order they are worked on). */
function caseOrder(a: CaseEntry, b: CaseEntry): number {
  return SPLIT_RANK[a.spec.split] - SPLIT_RANK[b.spec.split] || a.spec.caseId.localeCompare(b.spec.caseId);
}

/** The files of a demo case with the role each gets. */
function caseFiles(demoCase: DemoCase): [VolumeRole, string][] {
  const files: [VolumeRole, string][] = [
    ['image', demoCase.files.image],
    ['brain-mask', demoCase.files.brainMask],
  ];
  if (demoCase.files.seg) files.push(['segmentation', demoCase.files.seg]);
  return files;
}

/** True when the case is already in the workbench from an earlier demo run. */
function alreadyLoaded(demoCase: DemoCase): boolean {
  return useDemoStore.getState().caseIds.includes(demoCase.id) && useDataStore.getState().cases.some((c) => c.spec.caseId === demoCase.id);
}

/** Loads one demo case's downloaded files and defines it (conformed as shipped); true when it is ready. */
async function loadCase(demoCase: DemoCase, downloads: Promise<ArrayBuffer[]>, signal: AbortSignal): Promise<boolean> {
  if (alreadyLoaded(demoCase)) return useDataStore.getState().cases.find((c) => c.spec.caseId === demoCase.id)?.status === 'ready';
  const files = caseFiles(demoCase);
  const bytes = await downloads;
  signal.throwIfAborted();
  const fileIds = new Map<VolumeRole, string>();
  for (const [i, [role, fileName]] of files.entries()) {
    const [outcome] = await loadFiles([{ fileName, bytes: bytes[i], role }]);
    if ('refusal' in outcome) {
      useErrorStore.getState().report(`demo/${fileName}`, `${outcome.refusal} — the demo skips case ${demoCase.id}.`);
      return false;
    }
    setDemo({ fileIds: [...useDemoStore.getState().fileIds, outcome.fileId] });
    fileIds.set(role, outcome.fileId);
  }
  const spec: CaseSpec = {
    caseId: demoCase.id,
    imageFileId: fileIds.get('image') ?? '',
    brainMaskFileId: fileIds.get('brain-mask'),
    modality: demoCase.modality,
    split: demoCase.split,
    conformed: true,
  };
  const segFileId = fileIds.get('segmentation');
  if (segFileId) spec.segFileId = segFileId;
  setDemo({ caseIds: [...useDemoStore.getState().caseIds, demoCase.id] });
  return addCase(spec, caseOrder);
}

/**
 * Loads the demo cases one after another in the background (downloading the next case while the worker parses
 * this one); `ready(id)` resolves when that case is in (false if it was skipped). A failed download stops the
 * loader: every case not yet loaded then rejects with that failure.
 */
export function startLoader(order: readonly DemoCase[], folder: string, signal: AbortSignal): { ready: (caseId: string) => Promise<boolean>; finished: Promise<void> } {
  const settled = new Map<string, { promise: Promise<boolean>; resolve: (ok: boolean) => void; reject: (error: unknown) => void }>();
  for (const c of order) {
    let resolve: (ok: boolean) => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const promise = new Promise<boolean>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    settled.set(c.id, { promise, resolve, reject });
  }
  const download = (c: DemoCase | undefined): Promise<ArrayBuffer[]> => {
    if (!c || alreadyLoaded(c)) return Promise.resolve([]);
    const promise = Promise.all(caseFiles(c).map(([, name]) => fetchBytes(`${folder}${name}`, signal)));
    promise.catch(() => undefined);
    return promise;
  };
  const finished = (async () => {
    let loaded = 0;
    let next = download(order[0]);
    for (const [index, c] of order.entries()) {
      const entry = settled.get(c.id);
      const downloads = next;
      next = download(order[index + 1]);
      if (!entry) continue;
      try {
        signal.throwIfAborted();
        entry.resolve(await loadCase(c, downloads, signal));
        setDemo({ loadedCases: ++loaded });
      } catch (error) {
        for (const rest of settled.values()) rest.reject(error);
        throw error;
      }
    }
  })();
  finished.catch(() => undefined);
  return { ready: (caseId) => settled.get(caseId)?.promise ?? Promise.resolve(false), finished };
}
