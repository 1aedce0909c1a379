// Baseline methods benchmark (plain tsx script): per method and preset, training step time at a batch and the reconstruction time of a 96 x 96 x 50 volume.
// Usage: npx tsx bench/methods.bench.ts [--methods ae,sae,vae,dae] [--presets tiny,small,paper] [--batch 32] [--steps 3] (svae: --batch counts volumes)
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { CONFORMED_DIMS, createNetwork, initBackend, METHODS, Trainer, type MethodName, type PresetName } from '../src/engine/index.ts';
import { syntheticVolume } from '../tests/engine/synthetic.ts';

const { values } = parseArgs({
  options: { methods: { type: 'string', default: 'ae,sae,vae,dae' }, presets: { type: 'string', default: 'tiny,small,paper' }, batch: { type: 'string', default: '32' }, steps: { type: 'string', default: '3' } },
});
const batchSize = Number(values.batch);
const steps = Number(values.steps);
const backend = await initBackend('wasm');
console.log(`backend ${backend.name} (${backend.reason}); batch ${batchSize}; median of ${steps} training steps after one warm-up step`);
const volumes = [0, 1, 2, 3].map((i) => syntheticVolume(i));

for (const name of values.methods.split(',') as MethodName[]) {
  const method = METHODS[name];
  for (const preset of values.presets.split(',') as PresetName[]) {
    if (!method.presets.includes(preset)) continue;
    const config = method.trainingConfig(preset, { batchSize, validationSlices: 0 });
    const parameters = method.networks(config).reduce((n, net) => n + net.parameters, 0);
    const trainer = Trainer.create(config, { train: volumes, validation: [] });
    await trainer.trainStep();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const started = performance.now();
      await trainer.trainStep();
      times.push((performance.now() - started) / 1000);
    }
    trainer.dispose();
    const network = createNetwork(config, 0);
    const started = performance.now();
    await network.reconstruct(volumes[0].image, { dims: CONFORMED_DIMS, noiseLevel: 750, seed: 0 });
    const reconstructSeconds = (performance.now() - started) / 1000;
    network.dispose();
    const step = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    const slices = batchSize * (method.sequenceLength?.(config) ?? 1);
    console.log(`${name.padEnd(4)} ${preset.padEnd(6)} ${String(parameters).padStart(9)} params  train step ${step.toFixed(2)} s (${slices} slices, ${(slices / step).toFixed(1)} slices/s)  reconstruct volume ${reconstructSeconds.toFixed(2)} s  tensors ${tf.memory().numTensors}`);
  }
}
