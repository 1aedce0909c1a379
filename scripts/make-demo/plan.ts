// The demo's case list: which template, split and lesions each case gets (seeds derive from the case id).
import type { LesionPlacement } from './lesions.ts';
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

const lesion = (lesionId: number, mirrored = false): LesionPlacement => ({ lesionId, mirrored });
const templateOf = (n: number): TemplateName => (n % 2 === 1 ? 'colin27' : 'icbm152-2009');
const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * 8 healthy training + 2 healthy validation volumes, then 4 anomalous validation and 8 anomalous test volumes,
 * alternating Colin27 / ICBM 2009 (22 volumes, under 5 MB in all). Validation and test use disjoint lesion maps (so the threshold chosen on
 * validation is never tuned to a test lesion); a second lesion is always mirrored into the left hemisphere, so
 * anomalies are not all on one side. Lesion maps 16, 17, 19, 20, 21, 23 and 24 are left unused.
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
    [lesion(2)],
    [lesion(5)],
    [lesion(10), lesion(14, true)],
    [lesion(18), lesion(22, true)],
  ].map((lesions, n): PlannedCase => ({ id: `val-${pad(n + 1)}`, split: 'validation', template: templateOf(n + 1), lesions })),
  ...[
    [lesion(1)],
    [lesion(3)],
    [lesion(4), lesion(6, true)],
    [lesion(7)],
    [lesion(8)],
    [lesion(9), lesion(11, true)],
    [lesion(12, true)],
    [lesion(13), lesion(15, true)],
  ].map((lesions, n): PlannedCase => ({ id: `test-${pad(n + 1)}`, split: 'test', template: templateOf(n + 1), lesions })),
];
