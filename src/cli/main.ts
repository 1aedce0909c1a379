// fqlab CLI dispatcher: picks the command, prints its JSON result on stdout, one-line errors on stderr.
import { FqlabError } from '../core/errors.ts';
import { parseFlags, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { conformCommand } from './commands/conform.ts';
import { mergeCommand } from './commands/merge.ts';
import { metricsCommand } from './commands/metrics.ts';
import { postprocessCommand } from './commands/postprocess.ts';
import { qualityCommand } from './commands/quality.ts';
import { sweepCommand } from './commands/sweep.ts';
import { thresholdCommand } from './commands/threshold.ts';
import { trainCommand } from './commands/train.ts';
import { evaluateCommand } from './commands/evaluate.ts';
import { infoCommand } from './commands/info.ts';
import { PendingOutputs } from './outputs.ts';
import { isWorkerError } from '../session/sessionErrors.ts';

const commands: Command[] = [
  conformCommand,
  qualityCommand,
  postprocessCommand,
  metricsCommand,
  thresholdCommand,
  trainCommand,
  evaluateCommand,
  sweepCommand,
  mergeCommand,
  infoCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'fqlab: anomaly detection in brain MRI with patched diffusion models and the FQ score.',
    '',
    'Usage: fqlab <command> [flags]   (fqlab <command> --help for its flags)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI; returns the process exit code (0 ok, 1 bad input, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`fqlab: unknown command "${name}"; run \`fqlab --help\` for the list.`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\nUsage: fqlab ${command.name} ${command.usage}`);
    return 0;
  }
  const outputs = new PendingOutputs();
  try {
    const result = await command.run(parseFlags(rest, command.options, command.positionals), outputs);
    outputs.commit();
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    const failure = describeFailure(command.name, error, process.env.FQLAB_DEBUG === '1');
    console.error(failure.message);
    return failure.exitCode;
  }
}

/**
 * What the user sees when a command fails: one line, never a stack trace (FQLAB_DEBUG=1 adds it). Bad usage exits 2,
 * bad input 1; anything else is fqlab's own fault and says so.
 */
export function describeFailure(commandName: string, error: unknown, debug: boolean): { message: string; exitCode: number } {
  const prefix = `fqlab ${commandName}:`;
  if (error instanceof UsageError) return { message: `${prefix} ${error.message} (see \`fqlab ${commandName} --help\`)`, exitCode: 2 };
  if (error instanceof FqlabError) return { message: `${prefix} ${firstLine(error.message)}`, exitCode: 1 };
  // The worker's own refusals (no model, busy) are plain objects; they are about the call, not an fqlab bug.
  if (isWorkerError(error) && error.code !== 'internal') return { message: `${prefix} ${firstLine(error.message)}`, exitCode: 1 };
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    message: `${prefix} internal error (${firstLine(detail)}); please report it with the command you ran (FQLAB_DEBUG=1 prints the stack)${stack}`,
    exitCode: 1,
  };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0].trim();
}
