// Test helper: runs a script in a fresh `node --import tsx` child (for WebGPU on SwiftShader, whose Vulkan loader needs LD_LIBRARY_PATH at start).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's chromium package ships the Vulkan loader and the SwiftShader Vulkan driver here. */
export const CHROMIUM_LIB = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
export const hasSwiftShader = existsSync(SWIFTSHADER_ICD);
/** The environment under which Dawn finds SwiftShader. */
export const SWIFTSHADER_ENV: Record<string, string> = { LD_LIBRARY_PATH: CHROMIUM_LIB, VK_ICD_FILENAMES: SWIFTSHADER_ICD };
export const repoRoot = new URL('../../', import.meta.url);
/** The child prints its result as one JSON line after this prefix. */
export const RESULT_PREFIX = 'FQLAB_CHILD_RESULT ';

export interface ChildRun<T> {
  result: T;
  /** stdout lines other than the result: anything tfjs or Dawn printed there (the CLI's stdout must be pure JSON). */
  strayStdout: string[];
  seconds: number;
}

/**
 * Runs an ESM script in a fresh `node --import tsx` with extra environment: the Vulkan loader is found through
 * LD_LIBRARY_PATH, which the dynamic linker reads only when the process starts. The script prints its result as
 * one JSON line after RESULT_PREFIX.
 */
export function runNode<T>(script: string, env: Record<string, string>, timeoutMs: number): Promise<ChildRun<T>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(repoRoot),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      const line = lines.find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) {
        reject(new Error(`child node exited with ${code ?? signal}; stderr:\n${stderr.slice(-4000)}`));
        return;
      }
      resolve({
        result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T,
        strayStdout: lines.filter((l) => l !== line),
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

