// The Diagnostics panel's GPU lines (src/ui/stores/diagnosticsStore.ts gpuFacts): adapter, WebGPU kernel set, TFLOP/s of the last forward and training step.
import { describe, expect, it } from 'vitest';
import { gpuFacts } from '../../src/ui/stores/diagnosticsStore.ts';
import type { BackendChoice } from '../../workers/api.ts';

const h200: BackendChoice = { name: 'webgpu', reason: 'WebGPU adapter nvidia hopper', adapterInfo: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' } };

describe('gpuFacts', () => {
  it('names the adapter and kernel set and prints both rates with their slices/s', () => {
    const facts = gpuFacts(h200, {
      kernelSet: { set: 'custom', custom: ['conv2dBackpropFilterSplitK'] },
      throughput: {
        lastForward: { slicesPerSecond: 142, teraflopsPerSecond: 1.3334 },
        lastTrainingStep: { slicesPerSecond: 4.05, teraflopsPerSecond: 0.11409 },
        trainingStepForwardEquivalents: 3,
      },
    });
    expect(facts).toEqual({
      gpu: 'nvidia · hopper · NVIDIA H200',
      kernelSet: 'custom',
      forward: '1.33 TFLOP/s (142 slice forwards/s)',
      training: "0.114 TFLOP/s (4.05 slices/s), a slice counted as 3 forwards' FLOPs",
    });
  });

  it('says when there is no adapter, nothing was measured yet, and the kernel set does not apply', () => {
    const wasm: BackendChoice = { name: 'wasm', reason: 'WASM (SIMD on, threads off)' };
    const facts = gpuFacts(wasm, { kernelSet: { set: 'mixed', custom: ['conv2dBackpropFilterSplitK'] }, throughput: { lastForward: null, lastTrainingStep: null, trainingStepForwardEquivalents: 3 } });
    expect(facts).toEqual({
      gpu: 'no WebGPU adapter',
      kernelSet: 'mixed (custom: conv2dBackpropFilterSplitK) (applies to WebGPU only; this backend is wasm)',
      forward: 'no reconstruction yet',
      training: 'no training step yet',
    });
    expect(gpuFacts({ ...wasm, adapterInfo: { architecture: 'swiftshader', isFallbackAdapter: true } }, null).gpu).toBe('swiftshader (software fallback)');
  });
});
