// Where the demo lives, its two checkpoints with the paper's settings for each, its table's seed count, and the ?demo=off switch.
import { PAPER_PROTOCOL } from '../../core/protocol.ts';
import type { ScoreKind } from '../../../workers/api.ts';
import type { MapOverlay } from '../stores/viewerStore.ts';

export type DemoModelId = 'pddpm-iqa' | 'pddpm';

export interface DemoModel {
  id: DemoModelId;
  label: string;
  /** File under demo/models/. */
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
