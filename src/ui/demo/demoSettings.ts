// Where the demo lives, its tracks (synthetic, real scans), two checkpoints per track with the paper's settings, its table's seed count, and ?demo=off.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { Modality, ScoreKind } from '../../../workers/api.ts';
import type { DemoModelId, DemoTrackId } from '../stores/demoStore.ts';
import type { MapOverlay } from '../stores/viewerStore.ts';

export interface DemoModel {
  id: DemoModelId;
  label: string;
  /** File under the track's models/ folder. */
  file: string;
  /** Test noise level from the paper: 750 for pDDPM-IQA, 500 for pDDPM. */
  noiseLevel: number;
  /** Anomaly score from the paper: the FQ map for pDDPM-IQA, the l1 map for the pDDPM baseline. */
  score: ScoreKind;
  overlay: MapOverlay;
}

export const DEMO_MODELS: Record<DemoModelId, DemoModel> = {
  'pddpm-iqa': { id: 'pddpm-iqa', label: 'pDDPM-IQA (FQ loss, AIR, FQ score)', file: 'pddpm-iqa.fqlab', noiseLevel: PAPER_PROTOCOL.noiseLevel.pddpmIqa, score: 'fq', overlay: 'fq' },
  pddpm: { id: 'pddpm', label: 'pDDPM (l1 loss, l1 score)', file: 'pddpm.fqlab', noiseLevel: PAPER_PROTOCOL.noiseLevel.pddpm, score: 'l1', overlay: 'l1' },
};

export const DEFAULT_DEMO_MODEL: DemoModelId = 'pddpm-iqa';

/** A set of demo cases with its own manifest and its own two checkpoints. */
export interface DemoTrack {
  id: DemoTrackId;
  label: string;
  /** Folder under demo/ ('' for the synthetic track), ending in '/'. */
  folder: string;
  /** Only the manifest's cases of this modality (the real track's manifest holds T2 and FLAIR). */
  modality: Modality | null;
  models: Record<DemoModelId, DemoModel>;
}

/** The real track's models of one modality: the same two methods and paper settings, trained on that modality. */
function realModels(prefix: string): Record<DemoModelId, DemoModel> {
  return {
    'pddpm-iqa': { ...DEMO_MODELS['pddpm-iqa'], file: `${prefix}-pddpm-iqa.fqlab` },
    pddpm: { ...DEMO_MODELS.pddpm, file: `${prefix}-pddpm.fqlab` },
  };
}

export const DEMO_TRACKS: Record<DemoTrackId, DemoTrack> = {
  synthetic: { id: 'synthetic', label: 'synthetic lesions (T1)', folder: '', modality: null, models: DEMO_MODELS },
  'real-t2': { id: 'real-t2', label: 'real scans: T2', folder: 'real/', modality: 'T2', models: realModels('t2') },
  'real-flair': { id: 'real-flair', label: 'real scans: FLAIR', folder: 'real/', modality: 'FLAIR', models: realModels('flair') },
};

export const DEFAULT_DEMO_TRACK: DemoTrackId = 'synthetic';

/** The demo folder on this page's own origin (Vite's base, '/' by default). */
export function demoUrl(path: string): string {
  return `${import.meta.env.BASE_URL}demo/${path}`;
}

/**
 * Whether the demo opens by itself on page load: yes, unless the address says `?demo=off` (browser tests that bring
 * their own files use it, and so can anyone who wants an empty workbench).
 */
export function demoAutoStart(search: string = globalThis.location?.search ?? ''): boolean {
  const value = new URLSearchParams(search).get('demo');
  return value === null || !['off', '0', 'false', 'no'].includes(value.toLowerCase());
}

/** The track the demo opens with: `?track=real-t2` or `?track=real-flair` picks a real-scan track, else the synthetic one. */
export function demoTrackFromAddress(search: string = globalThis.location?.search ?? ''): DemoTrackId {
  const value = new URLSearchParams(search).get('track');
  return value !== null && Object.hasOwn(DEMO_TRACKS, value) ? (value as DemoTrackId) : DEFAULT_DEMO_TRACK;
}

/** Seeds 0 .. n-1 per model in the demo's table (as `fqlab evaluate --seeds n`). */
export const DEMO_TABLE_SEEDS = 3;
/** The most seeds `?tableSeeds=n` may ask for (each seed reconstructs every demo case once more per model). */
const MAX_DEMO_TABLE_SEEDS = 10;

/** The table's seed count: DEMO_TABLE_SEEDS unless the address says `?tableSeeds=n` (browser tests use 1 or 2). */
export function demoTableSeedCount(search: string = globalThis.location?.search ?? ''): number {
  const value = Number(new URLSearchParams(search).get('tableSeeds') ?? Number.NaN);
  return Number.isInteger(value) && value >= 1 && value <= MAX_DEMO_TABLE_SEEDS ? value : DEMO_TABLE_SEEDS;
}

/** The seeds in the order they are worked: the analysis seed first when it is one of them (the demo's model has it cached). */
export function tableSeedOrder(seedCount: number, analysisSeed: number): number[] {
  const seeds = Array.from({ length: seedCount }, (_, seed) => seed);
  return seeds.includes(analysisSeed) ? [analysisSeed, ...seeds.filter((s) => s !== analysisSeed)] : seeds;
}
