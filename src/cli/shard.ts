// Spreading `evaluate` and `sweep` over machines: the --shard i/n flag, which share a shard computes, and the shard files `merge` reads.
import { z } from 'zod';
import { FqlabError } from '../core/errors.ts';
import type { InputFileKind } from '../core/inputLimits.ts';
import type { BackendChoice } from '../engine/backend.ts';
import { optionalString, UsageError, type FlagSpec, type ParsedFlags } from './args.ts';
import { readInputFile } from './io.ts';
import type { EvaluationOptions } from './session.ts';

/** Shard `index` of `count`, 0-based, from `--shard index/count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards one study may be cut into (a guard against a typo such as 0/80000, not a resource limit). */
export const MAX_SHARDS = 10_000;

/** Flags of the commands that can be sharded: the share to compute, and a file for the report (or shard file). */
export const SHARD_FLAGS: FlagSpec = {
  shard: { type: 'string' },
  out: { type: 'string' },
};

/** `--shard i/n` (0 <= i < n), or null when not given. */
export function shardFlag(flags: ParsedFlags): Shard | null {
  const text = optionalString(flags, 'shard');
  if (text === undefined) return null;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new UsageError(`--shard must be i/n with 0 <= i < n <= ${MAX_SHARDS} (e.g. 0/8 to 7/8 for 8 machines), got "${text}"`);
  }
  return { index, count };
}

/** Whether the case at `position` (in name order) is this shard's: round robin, so each shard gets a mix of the list. */
export function holdsPosition(shard: Shard | null, position: number): boolean {
  return shard === null || position % shard.count === shard.index;
}

/**
 * The grid cells [start, end) of a shard out of `cellCount` (noise level outer, alpha inner): contiguous blocks, so a
 * shard reconstructs the cases at as few noise levels as possible (the slow part; each alpha is a cheap rescore).
 */
export function cellBlock(shard: Shard | null, cellCount: number): { start: number; end: number } {
  if (shard === null) return { start: 0, end: cellCount };
  return {
    start: Math.floor((shard.index * cellCount) / shard.count),
    end: Math.floor(((shard.index + 1) * cellCount) / shard.count),
  };
}

/** The JSON a command prints, as the bytes its --out file holds. */
export function reportFileContents(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Names this version of the shard file layout; merge refuses any other. */
export const SHARD_FORMAT = 'fqlab-shard/1';

/**
 * What every shard file holds besides its rows. Shards merge only when all of it (but the shard index, the backend's
 * wording and the model's path) is equal: one checkpoint (by content), one backend, one set of flags.
 */
export const shardFileSchema = z.object({
  format: z.literal(SHARD_FORMAT),
  command: z.enum(['evaluate', 'sweep']),
  shard: z.object({ index: z.int().nonnegative(), count: z.int().positive().max(MAX_SHARDS) }),
  checkpointSha256: z.string().regex(/^[0-9a-f]{64}$/),
  backend: z.custom<BackendChoice>((value) => typeof (value as Partial<BackendChoice> | null)?.name === 'string', 'must name the backend'),
  /** Flags that change the numbers but are not in the report. */
  settings: z.record(z.string(), z.unknown()),
  /** The report's fields that are the same on every shard. */
  report: z.record(z.string(), z.unknown()),
});
export type ShardFile = z.infer<typeof shardFileSchema>;

/** A shard file is JSON of a few values per test case; 256 MiB is far above any study's. */
export const SHARD_FILE: InputFileKind = {
  what: 'a shard file (the --out of `fqlab evaluate` or `fqlab sweep` run with --shard i/n)',
  maxBytes: 2 ** 28,
  capReason: 'a shard file holds a few numbers per test case or grid cell',
};

/**
 * Checks `value` against `schema` and returns it unchanged (not zod's copy: key order and unknown keys are kept, so a
 * merged report is byte for byte the unsharded one); a mismatch is an error naming the file and the field.
 */
export function requireShape<T extends z.ZodType>(schema: T, value: unknown, path: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return value as z.infer<T>;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the file';
  throw new FqlabError('bad-argument', path,
    `is not a shard file fqlab can merge (${where}: ${issue.message}); give the --out files of \`fqlab evaluate\` or \`fqlab sweep\` run with --shard i/n.`);
}

/** Reads and checks the common part of a shard file. */
export function readShardFile(path: string): { path: string; json: unknown; file: ShardFile } {
  const text = new TextDecoder().decode(readInputFile(path, SHARD_FILE));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FqlabError('bad-argument', path, `is not JSON (${(error as Error).message}); give the --out file a sharded \`fqlab evaluate\` or \`fqlab sweep\` wrote.`);
  }
  return { path, json, file: requireShape(shardFileSchema, json, path) };
}

/** The shard file of one shard's run: the common part, then the command's rows. */
export function shardFileOf<Rows extends object>(
  command: ShardFile['command'],
  shard: Shard,
  run: { checkpointSha256: string; backend: ShardFile['backend']; settings: ShardFile['settings'] },
  report: ShardFile['report'],
  rows: Rows,
): ShardFile & Rows {
  return { format: SHARD_FORMAT, command, shard, checkpointSha256: run.checkpointSha256, backend: run.backend, settings: run.settings, report, ...rows };
}

/** The flags of evaluate and sweep that change the numbers but are not in their reports: shards must agree on them. */
export function evaluationSettings(options: EvaluationOptions): ShardFile['settings'] {
  return { modality: options.modality ?? null, allowNoThreshold: options.allowNoThreshold === true };
}
