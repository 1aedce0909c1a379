// initBackend in Node: WASM by default (with SIMD), explicit CPU on request, the process's error handling kept (WebGPU through Dawn: nodeWebgpu.test.ts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.ts';

describe('initBackend (Node)', () => {
  // First in this file: the WASM backend's Emscripten glue runs once per process, when the backend first starts.
  it("leaves the process's error listeners as they were (the WASM glue's rethrowing ones are removed)", async () => {
    const events = ['uncaughtException', 'unhandledRejection'];
    const emitter: NodeJS.EventEmitter = process;
    const before = events.map((event) => emitter.listeners(event));
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(events.map((event) => emitter.listeners(event))).toEqual(before);
  });

  it("picks WASM for 'auto' and says why; honours 'cpu'", async () => {
    const auto = await initBackend('auto');
    expect(auto.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(auto.reason).toMatch(/WASM \(SIMD on/);
    const cpu = await initBackend('cpu');
    expect(cpu.name).toBe('cpu');
    expect(cpu.reason).toMatch(/as requested/);
  });
});
