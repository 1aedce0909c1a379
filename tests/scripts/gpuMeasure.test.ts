// scripts/gpu/measure.ts's pure parts: its knobs from the environment and the side-by-side table with custom/stock ratios.
import { describe, expect, it } from 'vitest';
import { formatMeasurements, readMeasureSettings, type PresetMeasurement } from '../../scripts/gpu/measure.ts';

function row(kernelSet: 'stock' | 'custom', slicesPerSecond: number, stepS: number): PresetMeasurement {
  return {
    preset: 'small', kernelSet, customKernels: kernelSet === 'custom' ? ['conv2dBackpropFilterSplitK'] : [], backend: 'webgpu', backendReason: '',
    parameters: 2355873, gflopPerSlice: 9.39, capS: 28, peakGpuAllocatedBytes: 2 ** 30, peakTensorBytes: 0, notes: [], wallS: 20,
    forward: { batch: 32, firstS: 1, batchS: 32 / slicesPerSecond, iterations: 3, slicesPerSecond, teraflopsPerSecond: (9.39e9 * slicesPerSecond) / 1e12 },
    reconstruction: { volumeSlices: 50, seconds: 2.2, estimated: false },
    training: { batch: 32, microBatch: 32, measuredBatch: 32, steps: 3, stepS, forwardsPerStep: stepS / (32 / slicesPerSecond) },
  };
}

describe('GPU measurement script', () => {
  it('reads its knobs, with the paper batch of 32 and every preset and kernel set by default', () => {
    expect(readMeasureSettings({})).toEqual({
      presets: ['tiny', 'small', 'base', 'paper'], kernelSets: ['stock', 'custom'], batch: 32, microBatch: undefined, maxSteps: 3,
      budgetS: 400, volumeSlices: 50, force: false, outDir: 'gpu-measure-out',
    });
    const smoke = readMeasureSettings({ FQLAB_MEASURE_PRESETS: 'tiny', FQLAB_MEASURE_BATCH: '1', FQLAB_MEASURE_FORCE: '1', OUT: '/tmp/o' });
    expect(smoke).toMatchObject({ presets: ['tiny'], batch: 1, force: true, outDir: '/tmp/o' });
    expect(() => readMeasureSettings({ FQLAB_MEASURE_PRESETS: 'tiny,huge' })).toThrow(/FQLAB_MEASURE_PRESETS=tiny,huge: expected a comma-separated list of tiny, small, base, paper/);
    expect(() => readMeasureSettings({ FQLAB_MEASURE_BATCH: '0' })).toThrow(/FQLAB_MEASURE_BATCH=0: expected a positive integer/);
  });

  it('prints a row per kernel set and the custom/stock ratio of each figure', () => {
    const text = formatMeasurements([row('stock', 142, 7.9), row('custom', 284, 1.975)]);
    expect(text).toContain('| small | stock | 142.0 | 1.33 | 7.90 s (micro 32) | 35.1 |');
    expect(text).toContain('small: forward slices/s 2.00x, train step time 0.25x, reconstruction time 1.00x, peak GPU memory 1.00x');
  });
});
