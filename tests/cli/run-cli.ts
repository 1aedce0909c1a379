// Test helper: runs the real `fqlab` bin in a child process and parses its JSON output.
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/fqlab.mjs', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

/** Runs fqlab with `args`; a run still going after `timeoutMs` is killed (status null), so a hang fails instead of blocking. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    json: () => JSON.parse(result.stdout) as Record<string, unknown>,
  };
}

/** runCli without blocking, so independent runs (e.g. the shards of one study) can use several cores at once. */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      if (error !== null && status === null && !error.killed) reject(error);
      else resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> });
    });
  });
}
