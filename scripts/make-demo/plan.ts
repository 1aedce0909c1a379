// The demo's case list: which template, split and lesions each case gets (seeds derive from the case id).
import type { LesionKind, LesionPlacement } from './lesions.ts';
import type { TemplateName } from './sources.ts';

/** healthy-train: healthy training volumes; validation: healthy and anomalous held-out volumes; test: anomalous. */
export type DemoSplit = 'healthy-train' | 'validation' | 'test';

export interface PlannedCase {
  readonly id: string;
  readonly split: DemoSplit;
  readonly template: TemplateName;
  /** Empty for healthy cases. */
  readonly lesions: readonly LesionPlacement[];
}

/** Seed of a case's random streams: stable, readable and unique per case. */
export const caseSeed = (id: string): string => `fqlab-demo/${id}`;

const lesion = (lesionId: number, kind: LesionKind, mirrored = false): LesionPlacement => ({ lesionId, mirrored, kind });
const templateOf = (n: number): TemplateName => (n % 2 === 1 ? 'colin27' : 'icbm152-2009');
const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * 8 healthy training + 2 healthy validation volumes, then 4 anomalous validation and 8 anomalous test volumes,
 * alternating Colin27 / ICBM 2009 (22 volumes, under 5 MB in all). Validation and test use disjoint lesion maps (so the threshold chosen on
 * validation is never tuned to a test lesion); a second lesion is always mirrored into the left hemisphere, so
 * anomalies are not all on one side. Each split holds every lesion kind. Lesion maps 16, 17, 19, 20, 21, 23 and 24 are left unused.
 */
export const DEMO_PLAN: readonly PlannedCase[] = [
  ...Array.from({ length: 8 }, (_, n): PlannedCase => ({
    id: `train-${pad(n + 1)}`,
    split: 'healthy-train',
    template: templateOf(n + 1),
    lesions: [],
  })),
  ...[
    [],
    [],
    [lesion(2, 'tissue-swap')],
    [lesion(5, 'displaced-tissue')],
    [lesion(10, 'grey-matter-fill'), lesion(14, 'white-matter-fill', true)],
    [lesion(18, 'csf-fill'), lesion(22, 'tissue-swap', true)],
  ].map((lesions, n): PlannedCase => ({ id: `val-${pad(n + 1)}`, split: 'validation', template: templateOf(n + 1), lesions })),
  ...[
    [lesion(1, 'displaced-tissue')],
    [lesion(3, 'tissue-swap')],
    [lesion(4, 'grey-matter-fill'), lesion(6, 'displaced-tissue', true)],
    [lesion(7, 'white-matter-fill')],
    [lesion(8, 'tissue-swap')],
    [lesion(9, 'csf-fill'), lesion(11, 'tissue-swap', true)],
    [lesion(12, 'grey-matter-fill', true)],
    [lesion(13, 'tissue-swap'), lesion(15, 'white-matter-fill', true)],
  ].map((lesions, n): PlannedCase => ({ id: `test-${pad(n + 1)}`, split: 'test', template: templateOf(n + 1), lesions })),
];
