// A method's options (vae variant, f-AnoGAN's split, thresh equalisation) from the Model panel's config through the worker's engine config and the checkpoint, back as ModelInfo's options, and as the `fqlab train` flags the page names.
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../src/cli/args.ts';
import { METHOD_OPTION_FLAGS, methodOptionsFlag } from '../../src/cli/methodFlags.ts';
import { deserializeCheckpoint, METHODS, methodOptionsOf, serializeCheckpoint, type TrainingConfig } from '../../src/engine/index.ts';
import { evaluateCliCommand, methodOptionArgs } from '../../src/ui/export/cliCommand.ts';
import { defaultGanSteps, type MethodName, type MethodOptions, type TrainConfig } from '../../workers/api.ts';
import { methodSummaries } from '../../src/session/methods.ts';
import { engineTrainingConfig } from '../../src/session/trainingRun.ts';
import { syntheticCase } from '../analysis/syntheticCases.ts';

const base: TrainConfig = { preset: 'tiny', loss: 'fq', alpha: 0.84, air: 'off', noise: 'simplex', patched: true, steps: 8, batchSize: 2, seed: 1, evaluateEvery: 0 };
const healthy = syntheticCase('h1', 'healthy-train', 21, 0);

/** The config as a checkpoint written and read again (zero weights: only the settings matter here). */
function throughCheckpoint(config: TrainingConfig): TrainingConfig {
  const tensors = new Map(METHODS[config.method].paramSpecs(config).map((s) => [`model/${s.name}`, { shape: s.shape, values: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }]));
  return deserializeCheckpoint(serializeCheckpoint({ config, training: null, tensors }), 'options.fqlab').config;
}

const CHOSEN: [MethodName, MethodOptions][] = [
  ['vae', { vaeVariant: 'upd' }],
  ['vae', { vaeVariant: 'baur' }],
  ['fanogan', { ganSteps: 5 }],
  ['thresh', { equalize: true }],
  ['thresh', { equalize: false }],
];

describe('method options from the workbench to the checkpoint and the CLI', () => {
  it.each(CHOSEN)('%s %j survives the worker config, the checkpoint and the CLI flags', (method, options) => {
    const preset = method === 'thresh' ? 'paper' : 'tiny';
    const config = engineTrainingConfig({ ...base, method, preset, methodOptions: options }, [healthy]);
    expect(methodOptionsOf(throughCheckpoint(config))).toEqual(options);
    const args = methodOptionArgs(options);
    const fromFlags = methodOptionsFlag(parseFlags(args, METHOD_OPTION_FLAGS), METHODS[method]);
    // --equalize is a switch: no flag means false.
    expect(fromFlags).toEqual(options.equalize === false ? {} : options);
  });

  it('builds the UPD VAE for the upd variant and splits f-AnoGAN\'s run at 3/4 when no split is chosen', () => {
    const upd = engineTrainingConfig({ ...base, method: 'vae', methodOptions: { vaeVariant: 'upd' } }, [healthy]);
    expect(upd.baseline?.kind).toBe('upd-vae');
    expect(engineTrainingConfig({ ...base, method: 'vae' }, [healthy]).baseline?.kind).not.toBe('upd-vae');
    expect(methodOptionsOf(engineTrainingConfig({ ...base, method: 'fanogan' }, [healthy]))).toEqual({ ganSteps: defaultGanSteps(8) });
  });

  it('offers the vae\'s variants with their own sizes (UPD: 1,018,273 parameters at paper)', () => {
    const vae = methodSummaries().find((m) => m.name === 'vae');
    const upd = vae?.variants?.find((v) => v.variant === 'upd');
    expect(upd?.presets.find((p) => p.preset === 'paper')?.parameters).toBe(1_018_273);
    expect(vae?.variants?.find((v) => v.variant === 'baur')?.presets).toEqual(vae?.presets);
    expect(methodSummaries().find((m) => m.name === 'ae')?.variants).toBeUndefined();
  });

  it('refuses an option of another method, and the page\'s command names the options the checkpoint records', () => {
    expect(() => methodOptionsFlag(parseFlags(['--gan-steps', '3'], METHOD_OPTION_FLAGS), METHODS.vae)).toThrow(/--gan-steps is an option of --method fanogan, not vae/);
    expect(() => methodOptionsFlag(parseFlags(['--equalize'], METHOD_OPTION_FLAGS), METHODS.ae)).toThrow(/--equalize is an option of --method thresh, not ae/);
    const { notes } = evaluateCliCommand({
      modelFile: 'm.fqlab', cases: [], noiseLevel: 500, alpha: 0.84, score: 'fq', seed: 0, thresholdSource: 'validation-search',
      model: { method: 'vae', preset: 'small', methodOptions: { vaeVariant: 'upd' } },
    });
    expect(notes).toContain('The checkpoint records how the model was made (`fqlab train --method vae --preset small --vae-variant upd ...`), so evaluate needs no method flags.');
  });
});
