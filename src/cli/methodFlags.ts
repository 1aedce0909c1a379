// The --method and --preset flags every model command shares, checked against the engine's method registry.
import { METHOD_NAMES, methodDescription, VAE_VARIANTS, type MethodDescription, type MethodName, type MethodOptions, type PresetName } from '../engine/index.ts';
import { SCORE_KINDS, type ScoreKind } from '../analysis/keys.ts';
import { choiceFlag, integerFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';

export const METHOD_FLAG: FlagSpec = { method: { type: 'string' } };

/** Flags of the methods' own options (MethodOptions), for the commands that build a method's config. */
export const METHOD_OPTION_FLAGS: FlagSpec = { 'vae-variant': { type: 'string' }, 'gan-steps': { type: 'string' }, equalize: { type: 'boolean' } };

export const METHOD_OPTION_USAGE =
  `  --vae-variant (--method vae): ${VAE_VARIANTS.join(' or ')}: Baur's dense VAE (default) or the UPD VAE (BASELINES.md 4).\n` +
  '  --gan-steps N (--method fanogan): WGAN-GP steps before the encoder\'s (default 3/4 of the run).\n' +
  '  --equalize (--method thresh): histogram-equalise the brain first.\n';

export const METHOD_USAGE = `  --method: ${METHOD_NAMES.join(', ')} (default pddpm); \`fqlab info --method M\` lists its presets and sizes.\n`;

/** The method named by --method (pDDPM when absent). */
export function methodFlag(flags: ParsedFlags): MethodDescription {
  return methodDescription(choiceFlag<MethodName>(flags, 'method', METHOD_NAMES, 'pddpm'));
}

/** Which method each option flag belongs to. */
const OPTION_METHOD: Readonly<Record<string, MethodName>> = { 'vae-variant': 'vae', 'gan-steps': 'fanogan', equalize: 'thresh' };

/** The method's options from their flags; an option of another method is refused. */
export function methodOptionsFlag(flags: ParsedFlags, method: MethodDescription): MethodOptions {
  for (const [flag, owner] of Object.entries(OPTION_METHOD)) {
    if (flags[flag] !== undefined && method.name !== owner) throw new UsageError(`--${flag} is an option of --method ${owner}, not ${method.name}`);
  }
  return {
    ...(flags['vae-variant'] === undefined ? {} : { vaeVariant: choiceFlag(flags, 'vae-variant', VAE_VARIANTS, 'baur') }),
    ...(flags['gan-steps'] === undefined ? {} : { ganSteps: integerFlag(flags, 'gan-steps', 0, 0) }),
    ...(flags.equalize === true ? { equalize: true } : {}),
  };
}

/** --preset among the method's presets; absent: `fallback` where the method offers it, else its first (paper). */
export function presetFlag(flags: ParsedFlags, method: MethodDescription, fallback: PresetName): PresetName {
  const preset = flags.preset;
  if (preset === undefined) return method.presets.includes(fallback) ? fallback : method.presets[0];
  if (typeof preset !== 'string' || !(method.presets as readonly string[]).includes(preset)) {
    throw new UsageError(`--preset must be one of ${method.presets.join(', ')} for --method ${method.name}, got ${JSON.stringify(preset)}`);
  }
  return preset as PresetName;
}

/** The score of an evaluation: --score (default fq, the IQA score), or the method's only sensible one (thresh: l1). */
export function scoreFor(method: MethodName, flags: ParsedFlags): ScoreKind {
  const only = methodDescription(method).onlyScore;
  const requested = flags.score === undefined ? null : choiceFlag(flags, 'score', SCORE_KINDS, 'fq');
  if (only !== undefined && requested !== null && requested !== only) throw new UsageError(`--score ${requested} does not apply to ${method}, whose map is scored ${only}`);
  return only ?? requested ?? 'fq';
}
