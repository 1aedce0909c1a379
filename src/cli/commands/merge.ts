// `fqlab merge`: joins the shard files of a sharded `fqlab evaluate` or `fqlab sweep` into the report one unsharded run gives.
import { z } from 'zod';
import { FqlabError } from '../../core/errors.ts';
import { optionalString, requiredString, stringList, UsageError, type ParsedFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { evaluateHeaderSchema, evaluationReport, seedThresholdSchema, testCaseRowSchema } from '../evaluationReport.ts';
import type { PendingOutputs } from '../outputs.ts';
import { cellBlock, readShardFile, reportFileContents, requireShape, shardFileSchema, type ShardFile } from '../shard.ts';
import { gridCells, sweepCellSchema, sweepCsv, sweepHeaderSchema, sweepReport } from '../sweepReport.ts';

const evaluateShardSchema = shardFileSchema.extend({
  command: z.literal('evaluate'),
  report: evaluateHeaderSchema,
  thresholds: z.array(seedThresholdSchema),
  cases: z.array(testCaseRowSchema),
});

const sweepShardSchema = shardFileSchema.extend({
  command: z.literal('sweep'),
  report: sweepHeaderSchema,
  cells: z.array(sweepCellSchema),
});

interface ReadShard {
  path: string;
  json: unknown;
  file: ShardFile;
}

/** Report fields that may differ between shards of one run: the model's path (its content is compared) and the backend's wording. */
const PER_MACHINE_FIELDS = new Set(['model', 'backend']);

/** A value for a one-line message. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Refuses a shard that is not from the same run as `first`: another command, shard count, model, backend or flags. */
function requireSameRun(first: ReadShard, other: ReadShard): void {
  const [a, b] = [first.file, other.file];
  const refuse = (problem: string): never => {
    throw new FqlabError('bad-argument', other.path, `${problem}; merge only the shards of one run (same model, flags, inputs and --shard count).`);
  };
  if (b.command !== a.command) refuse(`is a shard of \`fqlab ${b.command}\`, but ${first.path} is one of \`fqlab ${a.command}\``);
  if (b.shard.count !== a.shard.count) refuse(`is shard ${b.shard.index}/${b.shard.count}, but ${first.path} is one of ${a.shard.count} shards`);
  if (b.checkpointSha256 !== a.checkpointSha256) {
    refuse(`was made with another model (checkpoint sha256 ${b.checkpointSha256.slice(0, 12)}...) than ${first.path} (${a.checkpointSha256.slice(0, 12)}...)`);
  }
  if (b.backend.name !== a.backend.name) {
    refuse(`ran on the ${b.backend.name} backend, but ${first.path} on ${a.backend.name} (rerun it with --backend ${a.backend.name})`);
  }
  const differing = (x: Record<string, unknown>, y: Record<string, unknown>, skip: ReadonlySet<string>) =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].find((key) => !skip.has(key) && JSON.stringify(x[key]) !== JSON.stringify(y[key]));
  const setting = differing(a.settings, b.settings, new Set());
  if (setting !== undefined) refuse(`was run with ${setting} ${shown(b.settings[setting])}, but ${first.path} with ${shown(a.settings[setting])}`);
  const field = differing(a.report, b.report, PER_MACHINE_FIELDS);
  if (field !== undefined) refuse(`has ${field} ${shown(b.report[field])}, but ${first.path} has ${shown(a.report[field])}`);
}

/** The shards in index order, after checking they are all of one run, each given once, none missing. */
function inShardOrder(shards: readonly ReadShard[]): ReadShard[] {
  const count = shards[0].file.shard.count;
  const byIndex = new Map<number, ReadShard>();
  for (const shard of shards) {
    requireSameRun(shards[0], shard);
    const { index } = shard.file.shard;
    if (index >= count) throw new FqlabError('bad-argument', shard.path, `claims to be shard ${index}/${count}, which cannot be; give the shard files fqlab wrote.`);
    const twin = byIndex.get(index);
    if (twin) throw new FqlabError('bad-argument', shard.path, `is shard ${index}/${count}, as is ${twin.path}; give each shard's file once.`);
    byIndex.set(index, shard);
  }
  const missing = Array.from({ length: count }, (_, index) => index).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    const list = missing.slice(0, 5).map((index) => `${index}/${count}`).join(', ') + (missing.length > 5 ? ', ...' : '');
    throw new FqlabError('bad-argument', `shard ${missing[0]}/${count}`,
      `is missing (${missing.length} of ${count} missing: ${list}); give the --out file of every shard, 0/${count} to ${count - 1}/${count}.`);
  }
  return Array.from({ length: count }, (_, index) => byIndex.get(index)!);
}

/** The evaluate report: every shard's thresholds must agree (all threshold on the same validation cases); rows back in test order. */
function mergeEvaluate(ordered: readonly ReadShard[]) {
  const shards = ordered.map(({ path, json }) => ({ path, ...requireShape(evaluateShardSchema, json, path) }));
  const first = shards[0];
  const header = first.report;
  const count = first.shard.count;
  for (const shard of shards) {
    if (shard.thresholds.length !== header.seeds || shard.thresholds.some((t, seed) => t.seed !== seed)) {
      throw new FqlabError('bad-argument', shard.path, `holds thresholds for seeds ${shown(shard.thresholds.map((t) => t.seed))}, not 0 to ${header.seeds - 1}; give the shard files fqlab wrote.`);
    }
    const seed = shard.thresholds.findIndex((t, s) => JSON.stringify(t) !== JSON.stringify(first.thresholds[s]));
    if (seed >= 0) {
      throw new FqlabError('bad-argument', shard.path,
        `chose threshold ${shown(shard.thresholds[seed].threshold)} at seed ${seed}, but ${first.path} chose ${shown(first.thresholds[seed].threshold)}: ` +
        'the shards did not compute the same validation maps (another backend, GPU or fqlab version?); rerun the shards the same way.');
    }
    const expected = header.test.filter((_, position) => position % count === shard.shard.index);
    const got = shard.cases.map((row) => row.caseId);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new FqlabError('bad-argument', shard.path,
        `holds test cases ${shown(got)}, but shard ${shard.shard.index}/${count} of ${shown(header.test)} is ${shown(expected)}; give the shard files fqlab wrote.`);
    }
    const short = shard.cases.find((row) => row.perSeed.length !== header.seeds);
    if (short) throw new FqlabError('bad-argument', shard.path, `holds ${short.perSeed.length} seeds for ${short.caseId}, not ${header.seeds}; give the shard files fqlab wrote.`);
  }
  const rows = header.test.map((_, position) => shards[position % count].cases[Math.floor(position / count)]);
  return evaluationReport(header, first.thresholds, rows);
}

/** The sweep report: each shard's block of cells, checked against the grid, back in grid order. */
function mergeSweep(ordered: readonly ReadShard[], csvPath: string | null) {
  const shards = ordered.map(({ path, json }) => ({ path, ...requireShape(sweepShardSchema, json, path) }));
  const header = shards[0].report;
  const grid = gridCells(header.alphas, header.noiseLevels);
  const cells = shards.flatMap((shard) => {
    const { start, end } = cellBlock(shard.shard, grid.length);
    const expected = grid.slice(start, end);
    const fits = shard.cells.length === expected.length &&
      shard.cells.every((cell, k) => cell.alpha === expected[k].alpha && cell.noiseLevel === expected[k].noiseLevel);
    if (!fits) {
      throw new FqlabError('bad-argument', shard.path,
        `holds ${shard.cells.length} grid cells, not cells ${start} to ${end - 1} of the ${grid.length}-cell grid (shard ${shard.shard.index}/${shard.shard.count}); give the shard files fqlab wrote.`);
    }
    return shard.cells;
  });
  return sweepReport(header, cells, csvPath);
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Join the shard files of `evaluate --shard i/n` or `sweep --shard i/n` runs into the report of one unsharded run.',
  usage:
    '--out REPORT.json [--csv F] SHARD_FILE [...]\n' +
    '  Give the --out file of every shard (in any order). The shards must come from one run: the same checkpoint (by\n' +
    '  content), backend, flags and inputs, and the same n; each i/n once, none missing. Evaluate shards must have chosen\n' +
    '  the same threshold per seed. REPORT.json is then the report an unsharded run writes with --out; --csv (sweep\n' +
    '  shards only) its CSV. The report names the model path and backend of shard 0.',
  options: {
    out: { type: 'string' },
    csv: { type: 'string' },
    shards: { type: 'string', multiple: true },
  },
  positionals: 'shards',
  run(flags: ParsedFlags, outputs: PendingOutputs) {
    const paths = stringList(flags, 'shards');
    if (paths.length === 0) throw new UsageError('give the shard files to merge (the --out file of every --shard i/n run)');
    const reportPath = requiredString(flags, 'out');
    outputs.file(reportPath);
    const csvPath = optionalString(flags, 'csv') ?? null;
    if (csvPath) outputs.file(csvPath);

    const ordered = inShardOrder(paths.map(readShardFile));
    if (ordered[0].file.command === 'evaluate') {
      if (csvPath) throw new UsageError('--csv is for sweep shards; these are evaluate shards (leave --csv out)');
      const report = mergeEvaluate(ordered);
      outputs.write(reportPath, reportFileContents(report));
      return report;
    }
    const report = mergeSweep(ordered, csvPath);
    if (csvPath) outputs.write(csvPath, sweepCsv(report.cells, report.preparation));
    outputs.write(reportPath, reportFileContents(report));
    return report;
  },
};
