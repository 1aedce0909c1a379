// The shipped demo's manifest (public/demo/manifest.json): which cases, their splits and files, read defensively.
import { DATA_SPLITS, MODALITIES, type DataSplit, type Modality } from '../../../workers/api.ts';
import type { DemoCaseCredit, DemoTrainingData } from '../stores/demoStore.ts';

export interface DemoCase {
  id: string;
  split: DataSplit;
  modality: Modality;
  files: { image: string; brainMask: string; seg?: string };
  /** Real-scan cases: where every file of the case comes from and under what terms. */
  credit?: DemoCaseCredit;
}

export interface DemoManifest {
  /** 'real' for public/demo/real (real scans, credited per case); 'synthetic' otherwise. */
  track: 'synthetic' | 'real';
  syntheticAnomalies: boolean;
  attribution: string;
  /** Real-scan track only: per modality, the slices and scans its models trained on. */
  training: Partial<Record<Modality, DemoTrainingData>>;
  /** Axial slices of every (conformed) volume: the unit of reconstruction progress. */
  slicesPerCase: number;
  cases: DemoCase[];
}

/** Plain file names only: the manifest must not point outside the demo folder. */
const FILE_NAME = /^[\w.-]+\.nii(\.gz)?$/;

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function fileName(value: unknown): string | null {
  return typeof value === 'string' && FILE_NAME.test(value) ? value : null;
}

function parseCase(value: unknown, index: number): DemoCase {
  const entry = record(value);
  const files = record(entry?.files);
  const id = entry?.id;
  const split = entry?.split;
  const modality = entry?.modality;
  const image = fileName(files?.image);
  const brainMask = fileName(files?.brainMask);
  const seg = files?.seg === undefined ? undefined : fileName(files.seg);
  if (typeof id !== 'string' || !/^[\w-]+$/.test(id) || !(DATA_SPLITS as readonly string[]).includes(split as string) || !(MODALITIES as readonly string[]).includes(modality as string) || !image || !brainMask || seg === null) {
    throw new Error(`case ${index + 1} is malformed (needs id, split, modality and files.image/brainMask[/seg] as .nii.gz names)`);
  }
  const demoCase: DemoCase = { id, split: split as DataSplit, modality: modality as Modality, files: { image, brainMask } };
  if (seg) demoCase.files.seg = seg;
  const { source, licence, attribution } = entry ?? {};
  if (typeof source === 'string' && typeof licence === 'string' && typeof attribution === 'string') demoCase.credit = { source, licence, attribution };
  return demoCase;
}

function parseTraining(value: unknown): DemoManifest['training'] {
  const training: DemoManifest['training'] = {};
  for (const modality of MODALITIES) {
    const entry = record(record(value)?.[modality]);
    const { slices, scans } = entry ?? {};
    if (Number.isInteger(slices) && Number.isInteger(scans)) training[modality] = { slices: slices as number, scans: scans as number };
  }
  return training;
}

/** Checks the manifest's shape; throws an Error saying what is wrong (the caller names the file). */
export function parseDemoManifest(json: unknown): DemoManifest {
  const root = record(json);
  if (!root || root.format !== 'fqlab-demo/1') throw new Error('not an fqlab demo manifest (format "fqlab-demo/1" expected)');
  const grid = record(root.grid);
  if (grid?.conformed !== true) throw new Error('the demo volumes are not marked as conformed (grid.conformed must be true)');
  const dims = grid.dims;
  if (!Array.isArray(dims) || dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) throw new Error('grid.dims must be three positive integers');
  if (!Array.isArray(root.cases) || root.cases.length === 0) throw new Error('it lists no cases');
  const cases = root.cases.map(parseCase);
  const ids = new Set(cases.map((c) => c.id));
  if (ids.size !== cases.length) throw new Error('two cases share an id');
  return {
    track: root.track === 'real' ? 'real' : 'synthetic',
    syntheticAnomalies: root.syntheticAnomalies === true,
    attribution: typeof root.attribution === 'string' ? root.attribution : '',
    training: parseTraining(root.training),
    slicesPerCase: dims[2] as number,
    cases,
  };
}

/**
 * The order the demo works in: the first test case with lesions (shown at once), validation cases with lesions (the
 * threshold search needs them), healthy validation cases (so the threshold settles), the other test cases (the means),
 * and last the healthy-train cases (only loaded, for training).
 */
export function demoCaseOrder(cases: readonly DemoCase[]): DemoCase[] {
  const lesion = (c: DemoCase) => c.files.seg !== undefined;
  const tests = cases.filter((c) => c.split === 'test');
  const first = tests.find(lesion) ?? tests[0] ?? cases.find((c) => c.split === 'validation' && lesion(c));
  const rest = cases.filter((c) => c !== first);
  return [
    ...(first ? [first] : []),
    ...rest.filter((c) => c.split === 'validation' && lesion(c)),
    ...rest.filter((c) => c.split === 'validation' && !lesion(c)),
    ...rest.filter((c) => c.split === 'test'),
    ...rest.filter((c) => c.split === 'healthy-train'),
  ];
}

/** Cases the demo reconstructs (everything but healthy-train), in demoCaseOrder. */
export function demoEvaluationCases(cases: readonly DemoCase[]): DemoCase[] {
  return demoCaseOrder(cases).filter((c) => c.split !== 'healthy-train');
}
