// Command-line flag parsing shared by every fqlab command (node:util parseArgs with typed accessors).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;
export type ParsedFlags = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Lets a list flag take several values after it, as shells expand globs: `--healthy a.nii b.nii` becomes
 * `--healthy a.nii --healthy b.nii`. Other bare arguments go to the list flag `positionalFlag` when there is one.
 */
function expandListFlags(argv: readonly string[], options: FlagSpec, positionalFlag?: string): string[] {
  const expanded: string[] = [];
  let listFlag: string | null = null;
  let expectingValue = false;
  for (const token of argv) {
    if (token.startsWith('--')) {
      const [name, inlineValue] = token.slice(2).split('=', 2);
      const spec = options[name];
      listFlag = spec?.multiple ? name : null;
      expectingValue = spec?.type === 'string' && inlineValue === undefined;
      expanded.push(token);
    } else if (expectingValue) {
      expanded.push(token);
      expectingValue = false;
    } else if (listFlag) {
      expanded.push(`--${listFlag}`, token);
    } else if (positionalFlag) {
      expanded.push(`--${positionalFlag}`, token);
    } else {
      expanded.push(token);
    }
  }
  return expanded;
}

/** Parses argv against a spec; unknown flags and stray arguments (unless `positionalFlag` takes them) are usage errors. */
export function parseFlags(argv: string[], options: FlagSpec, positionalFlag?: string): ParsedFlags {
  try {
    return parseArgs({ args: expandListFlags(argv, options, positionalFlag), options, strict: true, allowPositionals: false }).values as ParsedFlags;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A mistake in how the command was called (as opposed to a bad input file). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function requiredString(flags: ParsedFlags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalString(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(flags: ParsedFlags, name: string): string[] {
  const value = flags[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** A number flag, checked against [min, max]. */
export function numberFlag(flags: ParsedFlags, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${String(raw)}"`);
  }
  return value;
}

export function integerFlag(flags: ParsedFlags, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = numberFlag(flags, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new UsageError(`--${name} must be an integer, got ${value}`);
  return value;
}

export function choiceFlag<T extends string>(flags: ParsedFlags, name: string, choices: readonly T[], fallback: T): T {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${String(raw)}"`);
  }
  return raw as T;
}
