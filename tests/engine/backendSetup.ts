// Starts the tfjs WASM backend (with the engine's kernels) once per test file.
import { initBackend, type BackendChoice } from '../../src/engine/index.ts';

let started: Promise<BackendChoice> | null = null;

export function useWasm(): Promise<BackendChoice> {
  started ??= initBackend('wasm');
  return started;
}
