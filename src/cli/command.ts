// The shape of one fqlab CLI command: its flags, help text and a run function returning a JSON-able result.
import type { FlagSpec, ParsedFlags } from './args.ts';
import type { PendingOutputs } from './outputs.ts';

export interface Command {
  name: string;
  summary: string;
  /** Usage lines shown by --help, after "fqlab <name>". */
  usage: string;
  options: FlagSpec;
  /** The list flag (in `options`) that bare arguments fill, e.g. the shard files of `fqlab merge`; none by default. */
  positionals?: string;
  /** Declares its outputs in `outputs` before any heavy work and hands them their contents; the dispatcher writes them on success. */
  run(flags: ParsedFlags, outputs: PendingOutputs): Promise<unknown> | unknown;
}
