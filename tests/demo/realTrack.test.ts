// The demo's real-scan track (public/demo/real): complete, credited per case, and rebuilt byte for byte from ../shared/data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti/index.ts';
import { buildRealCase, REAL_ATTRIBUTION, REAL_PLAN, REAL_SOURCES, type RealManifest } from '../../scripts/make-demo/realTrack.ts';
import { parseDemoManifest } from '../../src/ui/demo/demoManifest.ts';
import { DEMO_TRACKS } from '../../src/ui/demo/demoSettings.ts';
import { parseRealTrackResults } from '../../src/ui/demo/realTrackResults.ts';

const realDir = fileURLToPath(new URL('../../public/demo/real/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(realDir, 'manifest.json'), 'utf8')) as RealManifest;
const DATA = [fileURLToPath(new URL('../../../shared/data/', import.meta.url)), '/work/shared/data/'].find((dir) =>
  existsSync(join(dir, 'lesion/MSLUB_patient07/FLAIR.nii.gz')),
);

describe('public/demo/real manifest', () => {
  it('is a real-scan track whose every case names its source, licence and attribution', () => {
    expect(manifest.track).toBe('real');
    expect(manifest.syntheticAnomalies).toBe(false);
    expect(manifest.attribution).toBe(REAL_ATTRIBUTION);
    expect(manifest.cases.map((c) => c.id)).toEqual(REAL_PLAN.map((c) => c.id));
    for (const c of manifest.cases) {
      expect(c.licence).toBe(REAL_SOURCES[c.source].licence);
      expect(c.attribution).toBe(REAL_SOURCES[c.source].attribution);
    }
    // Only the three sources the shared data README marks shippable.
    expect(new Set(manifest.cases.map((c) => c.source))).toEqual(new Set(['MSLUB-patient07', 'TCGA-DU-7294', 'IXI002']));
    const readme = readFileSync(join(realDir, '../README.md'), 'utf8');
    for (const source of Object.values(REAL_SOURCES)) expect(readme).toContain(source.attribution);
  });

  it('gives each modality a threshold case and a test case with lesions, and counts the training slices', () => {
    for (const modality of ['T2', 'FLAIR'] as const) {
      const cases = manifest.cases.filter((c) => c.modality === modality);
      expect(cases.filter((c) => c.split === 'validation' && c.files.seg)).toHaveLength(1);
      expect(cases.filter((c) => c.split === 'test' && c.files.seg)).toHaveLength(1);
      const training = manifest.training[modality];
      expect(training.scans).toBe(cases.length);
      expect(training.slices).toBe(cases.reduce((sum, c) => sum + c.stats.trainingSlices, 0));
      for (const c of cases) expect(c.stats.trainingSlices).toBe(c.stats.brainSlices - (c.files.seg ? c.stats.lesionSlices : 0));
    }
  });

  it('holds only the listed files and the models folder, and the workbench reads it', () => {
    const listed = new Set(manifest.cases.flatMap((c) => Object.values(c.files)));
    expect(new Set(readdirSync(realDir).filter((name) => !['manifest.json', 'models'].includes(name)))).toEqual(listed);
    expect(parseDemoManifest(manifest).cases.map((c) => c.id)).toEqual(manifest.cases.map((c) => c.id));
  });

  it('lesion masks lie inside the brain, and their slice counts match the files', () => {
    for (const c of manifest.cases.filter((entry) => entry.files.seg)) {
      const read = (name: string) => readNifti(new Uint8Array(readFileSync(join(realDir, name))), name).volume;
      const mask = read(c.files.brainMask).data;
      const seg = read(c.files.seg as string).data;
      let lesion = 0;
      let outside = 0;
      for (let n = 0; n < seg.length; n++) {
        if (seg[n] === 0) continue;
        lesion++;
        if (mask[n] === 0) outside++;
      }
      expect(lesion).toBe(c.stats.lesionVoxels);
      expect(outside).toBe(0);
    }
  });
});

describe('public/demo/real/models', () => {
  const models = join(realDir, 'models');
  it('ships both checkpoints of each real track, trained on that modality, with their logs', () => {
    for (const track of [DEMO_TRACKS['real-t2'], DEMO_TRACKS['real-flair']]) {
      for (const model of Object.values(track.models)) {
        const checkpoint = readFileSync(join(models, model.file));
        expect(new TextDecoder().decode(checkpoint.subarray(0, 8))).toBe('FQLABCK1');
        expect(checkpoint.length).toBeLessThan(5e5);
        const log = JSON.parse(readFileSync(join(models, model.file.replace('.fqlab', '.training.json')), 'utf8')) as {
          model: { loss: string; preset: string; step: number };
          data: { healthyTrain: string[] };
        };
        expect(log.model).toMatchObject({ loss: model.score, preset: 'tiny', step: 159 });
        // Only shippable scans: IXI002 (T2 only) and the two lesion scans' lesion-free slices.
        const expected = track.modality === 'T2' ? ['healthy_ixi002', 'mslub_patient07', 'tcga-du-7294'] : ['mslub_patient07', 'tcga-du-7294'];
        expect(log.data.healthyTrain.map((id) => id.replace('healthy-train:', ''))).toEqual(expected);
      }
    }
  });

  it('ships the stored comparison the page shows: both models, both ways round, per modality', () => {
    const rows = parseRealTrackResults(JSON.parse(readFileSync(join(models, 'results.json'), 'utf8')));
    for (const modality of ['T2', 'FLAIR'] as const) {
      const cases = manifest.cases.filter((c) => c.modality === modality && c.files.seg).map((c) => c.id);
      for (const model of ['pddpm', 'pddpm-iqa'] as const) {
        const mine = rows.filter((r) => r.modality === modality && r.model === model);
        expect(new Set(mine.map((r) => r.thresholdCase))).toEqual(new Set(cases));
        for (const r of mine) expect(r.testCase).not.toBe(r.thresholdCase);
      }
    }
  });
});

describe.skipIf(!DATA)('public/demo/real rebuilt from ../shared/data', () => {
  it('make-demo writes the committed files of a case byte for byte, and the same manifest entry', () => {
    const planned = REAL_PLAN.find((c) => c.id === 'mslub07-flair');
    const built = buildRealCase(DATA as string, planned as (typeof REAL_PLAN)[number]);
    expect(built.entry).toEqual(manifest.cases.find((c) => c.id === planned?.id));
    for (const [name, bytes] of built.files) expect(Buffer.from(bytes).equals(readFileSync(join(realDir, name)))).toBe(true);
  });
});
