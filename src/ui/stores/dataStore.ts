// Zustand store of the loaded files (header facts only), their roles, and the cases built from them.
import { create } from 'zustand';
import type { CaseInfo, CaseSpec, LoadedFileInfo, VolumeRole } from '../../../workers/api.ts';

/** A file the worker accepted; the voxels stay in the worker. */
export interface LoadedFileEntry {
  fileId: string;
  fileName: string;
  info: LoadedFileInfo;
  role: VolumeRole;
}

/** A file the worker (or the name check) refused, kept in the list so the message sits next to the file. */
export interface RejectedFileEntry {
  fileName: string;
  message: string;
}

export type CaseStatus = 'pending' | 'conforming' | 'ready' | 'error';

export interface CaseEntry {
  spec: CaseSpec;
  status: CaseStatus;
  info: CaseInfo | null;
  error: string | null;
  /** The spec the worker currently holds for this case (JSON), or null when the worker has none. */
  definedAs: string | null;
}

interface DataState {
  files: LoadedFileEntry[];
  rejected: RejectedFileEntry[];
  /** Names of files being read or parsed right now. */
  loading: string[];
  cases: CaseEntry[];
  /** Smooth scans as read before conforming (SPEC 1 step 0, the reference's default); already conformed files never are. */
  smoothing: boolean;
  setLoading: (names: string[]) => void;
  addLoaded: (entry: LoadedFileEntry) => void;
  addRejected: (entry: RejectedFileEntry) => void;
  dismissRejected: (fileName: string) => void;
  removeFile: (fileId: string) => void;
  setRole: (fileId: string, role: VolumeRole) => void;
  setCases: (cases: CaseEntry[]) => void;
  updateCase: (caseId: string, patch: Partial<CaseEntry>) => void;
  updateSpec: (caseId: string, patch: Partial<Omit<CaseSpec, 'caseId'>>) => void;
  setSmoothing: (smoothing: boolean) => void;
}

export const useDataStore = create<DataState>()((set) => ({
  files: [],
  rejected: [],
  loading: [],
  cases: [],
  smoothing: true,
  setLoading: (names) => set({ loading: names }),
  addLoaded: (entry) =>
    set((state) => ({ files: [...state.files, entry], rejected: state.rejected.filter((r) => r.fileName !== entry.fileName) })),
  addRejected: (entry) => set((state) => ({ rejected: [...state.rejected.filter((r) => r.fileName !== entry.fileName), entry] })),
  dismissRejected: (fileName) => set((state) => ({ rejected: state.rejected.filter((r) => r.fileName !== fileName) })),
  removeFile: (fileId) => set((state) => ({ files: state.files.filter((f) => f.fileId !== fileId) })),
  setRole: (fileId, role) => set((state) => ({ files: state.files.map((f) => (f.fileId === fileId ? { ...f, role } : f)) })),
  setCases: (cases) => set({ cases }),
  updateCase: (caseId, patch) =>
    set((state) => ({ cases: state.cases.map((c) => (c.spec.caseId === caseId ? { ...c, ...patch } : c)) })),
  updateSpec: (caseId, patch) =>
    set((state) => ({
      cases: state.cases.map((c) => (c.spec.caseId === caseId ? { ...c, spec: { ...c.spec, ...patch } } : c)),
    })),
  setSmoothing: (smoothing) => set({ smoothing }),
}));

