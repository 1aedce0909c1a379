// Zustand store of the demo: what it is doing now (for the status line), what it loaded, and which demo model is in use;
// it declares the demo ids and shipped-data shapes it holds, so demo/ imports them from here and not the other way.
import { create } from 'zustand';
import type { Modality } from '../../../workers/api.ts';

/** The demo's two checkpoints of a track (demo/demoSettings.ts DEMO_MODELS). */
export type DemoModelId = 'pddpm-iqa' | 'pddpm';

/** The demo's sets of cases (demo/demoSettings.ts DEMO_TRACKS). */
export type DemoTrackId = 'synthetic' | 'real-t2' | 'real-flair';

/**
 * off: never opened (?demo=off) · running: loading or reconstructing · stopping: finishing the case in progress
 * · ready: every demo case reconstructed · paused: stopped for something the user started · failed: see the banner
 * · closed: the user's own files replaced it.
 */
export type DemoPhase = 'off' | 'running' | 'stopping' | 'ready' | 'paused' | 'failed' | 'closed';

export interface DemoState {
  phase: DemoPhase;
  /** What the demo is doing or why it stopped, in words. */
  step: string;
  /** Demo cases loaded into the workbench, of all in the manifest. */
  loadedCases: number;
  totalCases: number;
  /** Slices reconstructed over all demo evaluation cases (cached cases count at once). */
  slicesDone: number;
  slicesTotal: number;
  /** The demo checkpoint the worker holds, or null when the model is the user's own (trained or loaded). */
  modelId: DemoModelId | null;
  /** The demo model the user picked (what "resume" loads). */
  wantedModelId: DemoModelId;
  /** Worker file ids and case ids of the demo data, so the user's own files can replace it. */
  fileIds: string[];
  caseIds: string[];
  attribution: string;
  /** The track whose cases are in the workbench (null: none yet), and the one the user picked. */
  track: DemoTrackId | null;
  wantedTrack: DemoTrackId;
  /** What the real-scan notice says: credits, how little the models trained on, the stored evaluation. */
  realTrack: RealTrackInfo | null;
  set: (patch: Partial<Omit<DemoState, 'set'>>) => void;
}

/** The real-scan track in use: one modality's credits, training data and stored results. */
export interface RealTrackInfo {
  modality: string;
  /** One entry per source scan. */
  credits: DemoCaseCredit[];
  training: DemoTrainingData | null;
  /** The case the page's threshold comes from (the stored results are shown for the same split). */
  thresholdCase: string;
  /** The committed `fqlab evaluate` results for this modality (empty when the file is missing). */
  results: RealTrackResult[];
}

/** A real-scan case's `credit` in the demo manifest (demo/demoManifest.ts): where its files come from and under what terms. */
export interface DemoCaseCredit {
  source: string;
  licence: string;
  attribution: string;
}

/** What a real-scan track's models of one modality trained on. */
export interface DemoTrainingData {
  slices: number;
  scans: number;
}

/**
 * A row of the real track's stored results (demo/realTrackResults.ts): one model (or the model-free Thresh baseline) on
 * one modality, threshold searched on one scan, metrics on the other, over evaluation seeds.
 */
export interface RealTrackResult {
  modality: Modality;
  model: DemoModelId | 'thresh';
  score: 'l1' | 'fq';
  noiseLevel: number;
  thresholdCase: string;
  testCase: string;
  seeds: number;
  dice: { mean: number; std: number };
  auprc: { mean: number; std: number };
}

export const useDemoStore = create<DemoState>()((set) => ({
  phase: 'off',
  step: '',
  loadedCases: 0,
  totalCases: 0,
  slicesDone: 0,
  slicesTotal: 0,
  modelId: null,
  wantedModelId: 'pddpm-iqa',
  fileIds: [],
  caseIds: [],
  attribution: '',
  track: null,
  wantedTrack: 'synthetic',
  realTrack: null,
  set: (patch) => set(patch),
}));

/** Patches the demo store (outside React: the demo's script reports what it does). */
export function setDemo(patch: Parameters<DemoState['set']>[0]): void {
  useDemoStore.getState().set(patch);
}

/** True while the demo's volumes are in the workbench (the synthetic-anomaly notice must be shown). */
export function demoDataLoaded(state: Pick<DemoState, 'caseIds' | 'phase'>): boolean {
  return state.caseIds.length > 0 || state.phase === 'running';
}
