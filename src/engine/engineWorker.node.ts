// A Node worker thread that computes training micro-batches and U-Net forwards on its own tfjs WASM engine (started by nodeEngineWorkers.ts).
import * as tf from '@tensorflow/tfjs';
import { parentPort } from 'node:worker_threads';
import { initBackend } from './backend.ts';
import { lossSetup, weightedGradients, type MicroBatchJob, type MicroBatchResult } from './microBatch.ts';
import { createNetwork } from './methods/registry.ts';
import type { MethodNetwork } from './methods/types.ts';
import type { ForwardShare } from './parallelForward.ts';
import type { TrainingConfig } from './trainingConfig.ts';
import { UNet } from './unet.ts';
import type { UNetConfig } from './unetConfig.ts';

/** A training request of nodeEngineWorkers.ts: weights in spec order and the jobs to run. */
export interface GradientRequest {
  kind: 'gradients';
  config: TrainingConfig;
  weights: Float32Array[];
  jobs: MicroBatchJob[];
}

/** A forward request: the U-Net's weights (spec order) come only when the worker does not hold `version` yet. */
export interface ForwardRequest {
  kind: 'forward';
  unet: UNetConfig;
  version: string;
  weights: Float32Array[] | null;
  share: ForwardShare;
}

export type WorkerRequest = GradientRequest | ForwardRequest;

/** An answer to a request, in order; `booted` comes once, before any, when the engine has started (or failed to). */
export type WorkerAnswer = { results: MicroBatchResult[] } | { output: Float32Array } | { error: string } | { booted: true };

const port = parentPort;
if (port === null) throw new Error('engineWorker.node.ts must run in a worker thread');
const started = initBackend('wasm');
const announceBooted = (): void => port.postMessage({ booted: true } satisfies WorkerAnswer);
// Either way: a failed start is reported to each request, which awaits `started` too.
started.then(announceBooted, announceBooted);
let model: { key: string; network: MethodNetwork } | null = null;
/** The forward replica: kept across requests, its weights replaced when another version comes. */
let forwardModel: { key: string; version: string; unet: UNet } | null = null;

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

function forwardReplica(request: ForwardRequest): UNet {
  const weights = request.weights;
  if (weights === null) {
    if (forwardModel?.version !== request.version) throw new Error(`no weights for version ${request.version} (holding ${forwardModel?.version ?? 'none'})`);
    return forwardModel.unet;
  }
  const key = JSON.stringify(request.unet);
  if (forwardModel?.key !== key) {
    forwardModel?.unet.dispose();
    // Cleared before building, so a config that fails to build leaves no disposed replica behind.
    forwardModel = null;
    forwardModel = { key, version: request.version, unet: UNet.create(request.unet, 0) };
  }
  const replica = forwardModel;
  // Forget the old version first: if the new weights do not fit, no later request may run on half-assigned ones.
  replica.version = '';
  replica.unet.assignWeights(new Map(replica.unet.specs.map((s, i) => [s.name, weights[i]])));
  replica.version = request.version;
  return replica.unet;
}

async function gradients(request: GradientRequest): Promise<MicroBatchResult[]> {
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

async function forward(request: ForwardRequest): Promise<Float32Array> {
  const unet = forwardReplica(request);
  const { x, t, size, height, width } = request.share;
  const output = tf.tidy(() => unet.apply(tf.tensor4d(x, [size, height, width, 1]), t));
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}

async function answer(request: WorkerRequest): Promise<{ answer: WorkerAnswer; transfer: ArrayBuffer[] }> {
  const backend = await started;
  if (backend.name !== 'wasm') throw new Error(`the WASM backend did not start (${backend.reason})`);
  if (request.kind === 'forward') {
    const output = await forward(request);
    return { answer: { output }, transfer: [output.buffer as ArrayBuffer] };
  }
  const results = await gradients(request);
  return { answer: { results }, transfer: results.flatMap((r) => r.gradients.map((g) => g.buffer as ArrayBuffer)) };
}

port.on('message', (request: WorkerRequest) => {
  answer(request).then(
    ({ answer, transfer }) => port.postMessage(answer, transfer),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies WorkerAnswer),
  );
});
