// fqlab CLI dispatcher: picks the command, prints its JSON result on stdout, one-line errors on stderr.
import { FqlabError } from '../core/errors.ts';
import { parseFlags, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { conformCommand } from './commands/conform.ts';
import { metricsCommand } from './commands/metrics.ts';
import { postprocessCommand } from './commands/postprocess.ts';
import { qualityCommand } from './commands/quality.ts';
import { sweepCommand } from './commands/sweep.ts';
import { thresholdCommand } from './commands/threshold.ts';
import { trainCommand } from './commands/train.ts';
import { evaluateCommand } from './commands/evaluate.ts';

const commands: Command[] = [
  conformCommand,
  qualityCommand,
  postprocessCommand,
  metricsCommand,
  thresholdCommand,
  trainCommand,
  evaluateCommand,
  sweepCommand,
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
  try {
    const result = await command.run(parseFlags(rest, command.options));
    console.log(JSON.stringify(result, null, 2));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`fqlab ${command.name}: ${error.message} (see \`fqlab ${command.name} --help\`)`);
      return 2;
    }
    if (error instanceof FqlabError) {
      console.error(`fqlab ${command.name}: ${error.message}`);
      return 1;
    }
    console.error(`fqlab ${command.name}: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}
