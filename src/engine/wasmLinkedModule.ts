// Links the engine's AssemblyScript kernels (wasm/*.as.ts) to tfjs-backend-wasm's own memory, so they read and write tensors in place.
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * What the kernels use of tfjs's Emscripten module: its allocator, and its memory, exported by the single-threaded build
 * (asm.memory) and created by the threaded one (wasmMemory).
 */
interface EmscriptenModuleParts {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  _malloc(bytes: number): number;
  _free(at: number): void;
}

function emscripten(backend: BackendWasm): EmscriptenModuleParts {
  return backend.wasm as unknown as EmscriptenModuleParts;
}

/** tfjs's WASM memory, or null where this tfjs build hides it. */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory | null {
  const module = emscripten(backend);
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/** A kernel module built twice by scripts/wasm/build.mjs: for an unshared memory and for a threaded build's shared one. */
export interface KernelModuleBytes {
  unsharedBase64: string;
  sharedBase64: string;
}

/** Each module's exports per tfjs memory (null: could not link there). */
const linked = new WeakMap<KernelModuleBytes, WeakMap<WebAssembly.Memory, unknown>>();

function instantiate(module: KernelModuleBytes, memory: WebAssembly.Memory): unknown {
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Uint8Array.from(atob(shared ? module.sharedBase64 : module.unsharedBase64), (ch) => ch.charCodeAt(0));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  } catch {
    return null;
  }
}

/** The module's exports linked to the backend's memory (compiled once per memory), or null where they cannot link. */
export function linkedExports<Exports>(backend: BackendWasm, module: KernelModuleBytes): Exports | null {
  const memory = backendMemory(backend);
  if (memory === null) return null;
  let perMemory = linked.get(module);
  if (perMemory === undefined) linked.set(module, (perMemory = new WeakMap()));
  if (!perMemory.has(memory)) perMemory.set(memory, instantiate(module, memory));
  return (perMemory.get(memory) ?? null) as Exports | null;
}

/** Byte offset of a tensor's data in tfjs's memory. */
export function tensorOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** Scratch bytes from tfjs's allocator (>>> 0: offsets above 2 GiB come back negative); give them back with freeScratch. */
export function allocateScratch(backend: BackendWasm, bytes: number): number {
  return emscripten(backend)._malloc(bytes) >>> 0;
}

export function freeScratch(backend: BackendWasm, at: number): void {
  emscripten(backend)._free(at);
}
