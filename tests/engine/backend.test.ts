// initBackend in Node: WASM by default (with SIMD), explicit CPU on request (WebGPU through Dawn: nodeWebgpu.test.ts).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.ts';

describe('initBackend (Node)', () => {
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
