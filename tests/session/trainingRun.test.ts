// A training run's one AbortSignal: an aborted run stops between steps and keeps a checkpoint that resumes exactly; pause waits, cancel releases it.
import { beforeAll, describe, expect, it } from 'vitest';
import { PauseGate } from '../../src/engine/index.ts';
import { TrainedModel } from '../../src/session/trainedModel.ts';
import { trainModel, TrainingRun, type TrainConfig, type TrainProgress } from '../../src/session/trainingRun.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';
import { useWasm } from '../engine/backendSetup.ts';

const config: TrainConfig = { preset: 'tiny', loss: 'fq', alpha: 0.84, air: 'off', noise: 'simplex', patched: true, steps: 50, batchSize: 2, seed: 1, evaluateEvery: 0 };
const cases = [syntheticCase('h1', 'healthy-train', 41, 0)];

describe('PauseGate', () => {
  it('lets a run through while open, holds it while paused, and releases it on resume or abort', async () => {
    const gate = new PauseGate();
    await gate.passed();
    gate.pause();
    const passed: string[] = [];
    const held = gate.passed().then(() => passed.push('resumed'));
    const stop = new AbortController();
    const aborted = gate.passed(stop.signal).then(() => passed.push('aborted'));
    await Promise.resolve();
    expect(passed).toEqual([]);
    stop.abort();
    await aborted;
    expect(passed).toEqual(['aborted']);
    expect(gate.paused).toBe(true);
    gate.resume();
    await held;
    expect(passed).toEqual(['aborted', 'resumed']);
  });
});

describe('TrainingRun', () => {
  beforeAll(async () => {
    await useWasm();
  });

  it('stops between steps once its signal is aborted and leaves a checkpoint that resumes the uninterrupted run exactly', async () => {
    const run = new TrainingRun();
    const steps: number[] = [];
    const stopped = await trainModel(cases, config, run, (p) => {
      steps.push(p.step);
      if (p.step === 2) run.timeUp();
    });
    expect(steps).toEqual([1, 2]);
    expect(run.signal.aborted).toBe(true);
    expect(stopped.info.step).toBe(2);

    const resumed: TrainProgress[] = [];
    const continued = TrainedModel.fromCheckpoint(stopped.serialize(), 'stopped.fqlab');
    await trainModel(cases, { ...config, steps: 3, resume: true }, new TrainingRun(), (p) => resumed.push(p), continued);
    const straight: TrainProgress[] = [];
    await trainModel(cases, { ...config, steps: 3 }, new TrainingRun(), (p) => straight.push(p));
    expect(resumed.map((p) => [p.step, p.loss])).toEqual(straight.slice(2).map((p) => [p.step, p.loss]));
    for (const model of [stopped, continued]) model.dispose();
  });

  it('waits between steps while paused, and a cancel releases the paused run with code cancelled', async () => {
    const run = new TrainingRun();
    const steps: number[] = [];
    const training = trainModel(cases, config, run, (p) => {
      steps.push(p.step);
      if (p.step === 1) run.pause();
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(steps).toEqual([1]);
    run.cancel();
    await expect(training).rejects.toMatchObject({ code: 'cancelled' });
    expect(run.stopped).toBe('cancelled');
  });
});
