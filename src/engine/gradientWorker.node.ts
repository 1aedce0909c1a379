// A Node worker thread that computes training micro-batches for the Trainer on its own tfjs WASM engine (started by nodeGradientWorkers.ts).
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { initBackend } from './backend.ts';
import { lossSetup, weightedGradients, type MicroBatchJob, type MicroBatchResult } from './microBatch.ts';
import { createNetwork } from './methods/registry.ts';
import type { MethodNetwork } from './methods/types.ts';
import type { TrainingConfig } from './trainingConfig.ts';

/** One request of nodeGradientWorkers.ts: weights in spec order and the jobs to run. */
export interface WorkerRequest {
  config: TrainingConfig;
  weights: Float32Array[];
  jobs: MicroBatchJob[];
}

export type WorkerAnswer = { results: MicroBatchResult[] } | { error: string };

const port = parentPort;
if (port === null) throw new Error('gradientWorker.node.ts must run in a worker thread');
const started = initBackend('wasm');
let model: { key: string; network: MethodNetwork } | null = null;

function replica(config: TrainingConfig, weights: Float32Array[]): MethodNetwork {
  const key = JSON.stringify([config.method, config.unet, config.baseline]);
  if (model === null || model.key !== key) {
    model?.network.dispose();
    model = { key, network: createNetwork(config, 0) };
  }
  const network = model.network;
  network.assignWeights(new Map(network.specs.map((s, i) => [s.name, weights[i]])));
  return network;
}

async function answer(request: WorkerRequest): Promise<MicroBatchResult[]> {
  const backend = await started;
  if (backend.name !== 'wasm') throw new Error(`gradient worker: the WASM backend did not start (${backend.reason})`);
  const unet = replica(request.config, request.weights);
  const setup = lossSetup(request.config);
  const variables = unet.trainableVariables();
  const results: MicroBatchResult[] = [];
  for (const job of request.jobs) {
    const { loss, gradients } = weightedGradients(unet, variables, job.part, job.weight, setup);
    results.push({ loss: (await loss.data())[0], gradients: await Promise.all(gradients.map(async (g) => (await g.data()) as Float32Array)) });
    tf.dispose([loss, ...gradients]);
  }
  return results;
}

port.on('message', (request: WorkerRequest) => {
  answer(request).then(
    (results) => port.postMessage({ results } satisfies WorkerAnswer, results.flatMap((r) => r.gradients.map((g) => g.buffer as ArrayBuffer))),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies WorkerAnswer),
  );
});
