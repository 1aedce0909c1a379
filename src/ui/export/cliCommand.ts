// The `npx fqlab evaluate` command that reproduces the page's analysis, for the "Copy CLI command" button.
import type { AlphaSource, CaseSpec, DataSplit, MethodOptions, Modality, ModelInfo, ScoreKind, StructuralTerm, ThresholdSource } from '../../../workers/api.ts';
import type { CaseEntry, LoadedFileEntry } from '../stores/dataStore.ts';

/** How the command starts (tests run it with `node bin/fqlab.mjs` in its place). */
export const CLI_PREFIX = 'npx fqlab';

/** One case as the CLI sees it: the names of its files (paired again by name) and how the page prepared it. */
export interface CliCase {
  caseId: string;
  split: DataSplit;
  modality: Modality;
  /** Image first, then brain mask and segmentation when the case has them. */
  fileNames: string[];
  /** On the conformed grid already (never smoothed). */
  conformed: boolean;
  smoothing: boolean;
  registered: boolean;
}

/** Everything the command reproduces: the model file, the cases, and the scoring of the page. */
export interface CliAnalysis {
  /** The checkpoint as the user saved it (the Checkpoint button's file name), relative to where the command runs. */
  modelFile: string;
  cases: readonly CliCase[];
  noiseLevel: number;
  alpha: number;
  /** Where alpha came from (default fixed): a chosen one is chosen again by the CLI, per seed. */
  alphaSource?: AlphaSource;
  score: ScoreKind;
  /** The FQ map's structural term (default ssim). */
  structural?: StructuralTerm;
  /** The page's one seed: the CLI runs seeds 0 .. seed, so its perSeed[seed] holds the page's numbers. */
  seed: number;
  thresholdSource: ThresholdSource;
  /** The model's method and options (recorded in its checkpoint), named in a note with their `fqlab train` flags. */
  model?: Pick<ModelInfo, 'method' | 'preset' | 'methodOptions'>;
}

export interface CliCommand {
  command: string;
  /** Where the CLI cannot do exactly what the page did, one sentence each. */
  notes: string[];
}

/** The file name the Checkpoint button saves the model under. */
export function checkpointFileName(model: Pick<ModelInfo, 'method' | 'preset' | 'loss' | 'step'> | null): string {
  return model ? `fqlab-${model.method}-${model.preset}-${model.loss}-step${model.step}.fqlab` : 'fqlab-model.fqlab';
}

/** The `fqlab train` flags of a method's options (src/cli/methodFlags.ts reads them back). */
export function methodOptionArgs(options: MethodOptions): string[] {
  return [
    ...(options.vaeVariant === undefined ? [] : ['--vae-variant', options.vaeVariant]),
    ...(options.ganSteps === undefined ? [] : ['--gan-steps', String(options.ganSteps)]),
    ...(options.equalize === true ? ['--equalize'] : []),
  ];
}

/** A word the shell passes on unchanged: quoted unless it is plainly safe. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `fqlab evaluate` command for the page's validation and test cases, model and scoring, and what it cannot reproduce. */
export function evaluateCliCommand(analysis: CliAnalysis): CliCommand {
  const notes: string[] = [];
  const validation = analysis.cases.filter((c) => c.split === 'validation');
  const test = analysis.cases.filter((c) => c.split === 'test');
  const args = ['evaluate', '--model', analysis.modelFile];
  args.push('--val', ...validation.flatMap((c) => c.fileNames), '--test', ...test.flatMap((c) => c.fileNames));
  args.push('--noise-level', String(analysis.noiseLevel), '--alpha', String(analysis.alpha), '--score', analysis.score, '--seeds', String(analysis.seed + 1));
  if (analysis.alphaSource !== undefined && analysis.alphaSource !== 'fixed') args.push('--alpha-source', analysis.alphaSource);
  if (analysis.structural !== undefined && analysis.structural !== 'ssim') args.push('--structural', analysis.structural);
  const evaluated = [...validation, ...test];
  const modalities = [...new Set(evaluated.map((c) => c.modality))];
  if (modalities.length === 1) args.push('--modality', modalities[0]);
  else if (modalities.length > 1) notes.push(`The cases mix modalities (${modalities.join(', ')}); the CLI takes each one from its file name.`);
  const prepared = evaluated.filter((c) => !c.conformed);
  if (prepared.length > 0 && prepared.every((c) => !c.smoothing)) args.push('--no-smoothing');
  else if (prepared.some((c) => !c.smoothing)) notes.push('Some cases are smoothed as read and some not; the CLI smooths all of them.');
  if (evaluated.some((c) => c.registered)) {
    notes.push('Registered cases: run `fqlab conform --register` on their images first and give the conformed files.');
  }
  if (analysis.thresholdSource !== 'validation-search') {
    notes.push(`The CLI thresholds by validation search; the page uses ${analysis.thresholdSource}, so its Dice can differ.`);
  }
  if (validation.length === 0 || test.length === 0) notes.push('The CLI needs validation and test cases: assign some of each.');
  if (analysis.model) {
    const { method, preset, methodOptions } = analysis.model;
    const train = ['fqlab', 'train', '--method', method, '--preset', preset, ...methodOptionArgs(methodOptions)].map(shellWord).join(' ');
    notes.push(`The checkpoint records how the model was made (\`${train} ...\`), so evaluate needs no method flags.`);
  }
  notes.push(`The page's seed ${analysis.seed} is the report's perSeed[${analysis.seed}]; run it where the model and scan files are.`);
  return { command: [CLI_PREFIX, ...args].map((word, i) => (i === 0 ? word : shellWord(word))).join(' '), notes };
}

/** The page's validation and test cases (those defined in the worker) with their files' names. */
export function cliCasesOf(cases: readonly CaseEntry[], files: readonly LoadedFileEntry[]): CliCase[] {
  const nameOf = new Map(files.map((f) => [f.fileId, f.fileName]));
  const fileNames = (spec: CaseSpec) =>
    [spec.imageFileId, spec.brainMaskFileId, spec.segFileId].flatMap((id) => (id === undefined ? [] : [nameOf.get(id) ?? id]));
  return cases
    .filter((c) => c.status === 'ready' && c.spec.split !== 'healthy-train')
    .map(({ spec }) => ({
      caseId: spec.caseId,
      split: spec.split,
      modality: spec.modality,
      fileNames: fileNames(spec),
      conformed: spec.conformed === true,
      smoothing: spec.smoothing !== false,
      registered: spec.registered === true,
    }));
}
