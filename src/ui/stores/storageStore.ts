// Zustand store of what this browser keeps for the workbench: whether it still saves, writes in flight, and the sizes.
import { create } from 'zustand';

export interface StorageSummary {
  files: number;
  fileBytes: number;
  modelBytes: number;
  /** Models kept for the comparison view. */
  comparedModels: number;
  comparedBytes: number;
  checkpoints: number;
  checkpointBytes: number;
}

interface StorageState {
  /** False after "clear everything stored" (or a storage failure): nothing more is written until a reload. */
  active: boolean;
  /** True while the last page's workspace is being restored (its own changes are not saved back meanwhile). */
  restoring: boolean;
  /** True once the last page's files came back (the demo then stays closed). */
  restored: boolean;
  pendingWrites: number;
  /** Loaded files that cannot be kept (DICOM series): a reload loses them. */
  notKept: string[];
  summary: StorageSummary | null;
  set: (patch: Partial<Omit<StorageState, 'set'>>) => void;
}

export const useStorageStore = create<StorageState>()((set) => ({
  active: true,
  restoring: false,
  restored: false,
  pendingWrites: 0,
  notKept: [],
  summary: null,
  set: (patch) => set(patch),
}));
