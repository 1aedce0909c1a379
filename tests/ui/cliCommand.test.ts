// The "Copy CLI command" text: flags for the page's model file, cases, scoring and seed, shell-safe, with what the CLI cannot reproduce (src/ui/export/cliCommand.ts).
import { describe, expect, it } from 'vitest';
import { checkpointFileName, cliCasesOf, evaluateCliCommand, type CliCase } from '../../src/ui/export/cliCommand.ts';
import type { CaseEntry, LoadedFileEntry } from '../../src/ui/stores/dataStore.ts';

const cliCase = (caseId: string, split: CliCase['split'], fileNames: string[], patch: Partial<CliCase> = {}): CliCase => ({
  caseId, split, modality: 'T1', fileNames, conformed: false, smoothing: true, registered: false, ...patch,
});
const analysis = {
  modelFile: 'fqlab-tiny-fq-step600.fqlab',
  noiseLevel: 250,
  alpha: 0.84,
  score: 'fq' as const,
  seed: 1,
  thresholdSource: 'validation-search' as const,
};

describe('the CLI command of the page', () => {
  it('names the model, the validation and test files, the scoring and seeds 0..seed, and quotes what the shell would split', () => {
    const cases = [
      cliCase('v', 'validation', ['v_T1.nii.gz', 'v_brainmask.nii.gz', 'v_seg.nii.gz']),
      cliCase('t', 'test', ["my scan's T1.nii.gz"]),
    ];
    const { command, notes } = evaluateCliCommand({ ...analysis, cases });
    expect(command).toBe(
      "npx fqlab evaluate --model fqlab-tiny-fq-step600.fqlab --val v_T1.nii.gz v_brainmask.nii.gz v_seg.nii.gz --test 'my scan'\\''s T1.nii.gz' " +
        '--noise-level 250 --alpha 0.84 --score fq --seeds 2 --modality T1',
    );
    expect(notes).toEqual(["The page's seed 1 is the report's perSeed[1]; run it where the model and scan files are."]);
  });

  it('names a chosen alpha source and a structural term other than SSIM', () => {
    const cases = [cliCase('v', 'validation', ['v.nii']), cliCase('t', 'test', ['t.nii'])];
    expect(evaluateCliCommand({ ...analysis, cases, alphaSource: 'val-dice', structural: 'ms-ssim' }).command).toMatch(
      / --seeds 2 --alpha-source val-dice --structural ms-ssim --modality T1$/,
    );
    expect(evaluateCliCommand({ ...analysis, cases, alphaSource: 'fixed', structural: 'ssim' }).command).toMatch(/ --seeds 2 --modality T1$/);
  });

  it('turns smoothing off when the page did, and says what the CLI cannot reproduce', () => {
    const unsmoothed = [cliCase('v', 'validation', ['v.nii'], { smoothing: false }), cliCase('t', 'test', ['t.nii'], { smoothing: false })];
    expect(evaluateCliCommand({ ...analysis, cases: unsmoothed }).command).toMatch(/ --modality T1 --no-smoothing$/);
    const mixed = [cliCase('v', 'validation', ['v.nii'], { modality: 'T2' }), cliCase('t', 'test', ['t.nii'], { registered: true })];
    const { command, notes } = evaluateCliCommand({ ...analysis, cases: mixed, thresholdSource: 'manual' });
    expect(command).not.toMatch(/--modality/);
    expect(notes.slice(0, 3)).toEqual([
      'The cases mix modalities (T2, T1); the CLI takes each one from its file name.',
      'Registered cases: run `fqlab conform --register` on their images first and give the conformed files.',
      'The CLI thresholds by validation search; the page uses manual, so its Dice can differ.',
    ]);
  });

  it("takes the page's ready validation and test cases with their file names, and the checkpoint's download name", () => {
    const file = (fileId: string, fileName: string) => ({ fileId, fileName }) as LoadedFileEntry;
    const entry = (caseId: string, split: CaseEntry['spec']['split'], status: CaseEntry['status'], ids: string[]) =>
      ({ spec: { caseId, split, modality: 'T2', imageFileId: ids[0], segFileId: ids[1], conformed: true }, status }) as CaseEntry;
    const cases = cliCasesOf(
      [entry('a', 'test', 'ready', ['1', '2']), entry('b', 'healthy-train', 'ready', ['3']), entry('c', 'validation', 'error', ['4'])],
      [file('1', 'a.nii.gz'), file('2', 'a_seg.nii.gz'), file('3', 'b.nii.gz'), file('4', 'c.nii.gz')],
    );
    expect(cases).toEqual([{ caseId: 'a', split: 'test', modality: 'T2', fileNames: ['a.nii.gz', 'a_seg.nii.gz'], conformed: true, smoothing: true, registered: false }]);
    expect(checkpointFileName({ method: 'pddpm', preset: 'tiny', loss: 'fq', step: 600 })).toBe('fqlab-pddpm-tiny-fq-step600.fqlab');
  });
});
