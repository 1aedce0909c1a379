// Checkpoints kept in the browser's IndexedDB (this machine only), listed by name with their model facts.
import type { ModelInfo } from '../../../workers/api.ts';

const DB_NAME = 'fqlab';
const STORE = 'checkpoints';

export interface StoredCheckpoint {
  name: string;
  savedAt: string;
  model: ModelInfo;
  bytes: Uint8Array;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'name' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is unavailable in this browser profile'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, makeRequest: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = makeRequest(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

export function putCheckpoint(checkpoint: StoredCheckpoint): Promise<IDBValidKey> {
  return withStore('readwrite', (store) => store.put(checkpoint));
}

export function getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
  return withStore<StoredCheckpoint | undefined>('readonly', (store) => store.get(name) as IDBRequest<StoredCheckpoint | undefined>);
}

export function deleteCheckpoint(name: string): Promise<undefined> {
  return withStore('readwrite', (store) => store.delete(name));
}

/** Name, date and model facts of every stored checkpoint (the bytes stay in the database). */
export async function listCheckpoints(): Promise<Omit<StoredCheckpoint, 'bytes'>[]> {
  const all = await withStore<StoredCheckpoint[]>('readonly', (store) => store.getAll() as IDBRequest<StoredCheckpoint[]>);
  return all.map(({ name, savedAt, model }) => ({ name, savedAt, model })).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

/** How many checkpoints are kept and their bytes in all. */
export async function storedCheckpointBytes(): Promise<{ count: number; bytes: number }> {
  const all = await withStore<StoredCheckpoint[]>('readonly', (store) => store.getAll() as IDBRequest<StoredCheckpoint[]>);
  return { count: all.length, bytes: all.reduce((sum, c) => sum + c.bytes.byteLength, 0) };
}

export function clearCheckpoints(): Promise<undefined> {
  return withStore('readwrite', (store) => store.clear());
}
