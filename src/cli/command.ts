// The shape of one fqlab CLI command: its flags, help text and a run function returning a JSON-able result.
import type { FlagSpec, ParsedFlags } from './args.ts';

export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by --help, after "fqlab <name>". */
  usage: string;
  options: FlagSpec;
  run(flags: ParsedFlags): Promise<unknown> | unknown;
}
