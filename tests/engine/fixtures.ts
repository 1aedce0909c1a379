// Loads the numpy reference fixtures written by scripts/fixtures/engine.py.
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/engine/', import.meta.url);

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T;
}

export function readF32(name: string): Float32Array {
  const b = readFileSync(new URL(name, dir));
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
