// TFLOP/s arithmetic for the Diagnostics panel: a forward's and a training step's rate from the U-Net's FLOP count and wall time.
import { describe, expect, it, vi } from 'vitest';
import type { Volume } from '../../src/core/volume.ts';
import { defaultTrainingConfig } from '../../src/engine/trainingConfig.ts';
import { forwardTeraflopsPerSecond, TRAINING_STEP_FORWARD_EQUIVALENTS, trainingTeraflopsPerSecond } from '../../src/engine/throughput.ts';
import { unetForwardFlops } from '../../src/engine/unetPlan.ts';
import { sliceForwardFlops, ThroughputLog } from '../../src/session/throughputLog.ts';

describe('TFLOP/s of the U-Net', () => {
  it('is FLOPs per slice x slices / seconds / 1e12, a training slice counted as 3 forwards', () => {
    // The small preset's 9.39 GFLOP forward at 142 slices/s is the README's 1.3 TFLOP/s on an H200.
    expect(forwardTeraflopsPerSecond(9.39e9, 142, 1)).toBeCloseTo(1.333, 3);
    expect(forwardTeraflopsPerSecond(2e12, 10, 4)).toBe(5);
    expect(TRAINING_STEP_FORWARD_EQUIVALENTS).toBe(3);
    expect(trainingTeraflopsPerSecond(2e12, 10, 4)).toBe(15);
    expect(forwardTeraflopsPerSecond(1e9, 8, 0)).toBeNull();
  });

  it('records a pDDPM reconstruction as 4 forwards per slice over its wall time, and passes the result through', async () => {
    const config = defaultTrainingConfig('tiny');
    const flops = sliceForwardFlops(config);
    expect(flops).toBe(unetForwardFlops(config.unet!));
    const log = new ThroughputLog();
    expect(log.snapshot()).toEqual({ lastForward: null, lastTrainingStep: null, trainingStepForwardEquivalents: 3 });
    const output = new Float32Array(4);
    const model = { id: 'm', airApplied: false, config, reconstruct: async () => output };
    const measured = log.measured(model);
    expect(measured.id).toBe('m');
    // The clock reads 1 s before the call and 3 s after it: 40 forwards (10 slices x 4 boxes) in 2 s.
    const clock = vi.spyOn(performance, 'now').mockReturnValueOnce(1000).mockReturnValueOnce(3000);
    const input: Volume = { data: new Float32Array(4), dims: [2, 2, 10], affine: new Float64Array(16), spacing: [1, 1, 1] };
    try {
      expect(await measured.reconstruct(input, 500, 1)).toBe(output);
    } finally {
      clock.mockRestore();
    }
    expect(log.snapshot().lastForward).toEqual({ slicesPerSecond: 20, teraflopsPerSecond: (flops! * 20) / 1e12 });
  });

  it('records training from slices per second, and ignores a model without a U-Net and a rate of 0', () => {
    const log = new ThroughputLog();
    log.recordTraining(1e12, 0);
    expect(log.snapshot().lastTrainingStep).toBeNull();
    log.recordTraining(1e12, 2);
    expect(log.snapshot().lastTrainingStep).toEqual({ slicesPerSecond: 2, teraflopsPerSecond: 6 });
    const noUnet = { ...defaultTrainingConfig('tiny'), unet: null };
    expect(sliceForwardFlops(noUnet)).toBeNull();
    const model = { id: 'ae', airApplied: false, config: noUnet, reconstruct: async () => new Float32Array(1) };
    expect(log.measured(model)).toBe(model);
  });
});
