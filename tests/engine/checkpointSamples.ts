// Test helper: a small but complete fqlab checkpoint (every tensor of a real, tiny U-Net, seeded values, training state) and header surgery on its bytes.
import {
  defaultTrainingConfig,
  Rng,
  serializeCheckpoint,
  unetParamSpecs,
  unetPlan,
  type CheckpointContents,
  type UNetConfig,
} from '../../src/engine/index.ts';

/** One level with middle attention: every kind of weight (conv, ResBlock with skip, attention, norms), 867 parameters. */
export const SMALL_UNET: UNetConfig = { modelChannels: 2, channelMult: [1], numResBlocks: 1, groups: 2, numHeads: 1, middleAttention: true };

/** A checkpoint as a training run of SMALL_UNET would save it: "model/" weights, and with training also "current/" and Adam moments. */
export function smallCheckpoint(withTraining = true): CheckpointContents {
  const rng = new Rng('small-checkpoint');
  const specs = unetParamSpecs(unetPlan(SMALL_UNET));
  const tensors: CheckpointContents['tensors'] = new Map();
  const prefixes = withTraining ? ['model', 'current', 'adam.m', 'adam.v'] : ['model'];
  for (const prefix of prefixes) {
    for (const spec of specs) {
      const values = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      // Second moments are >= 0; everything else any sign.
      for (let i = 0; i < values.length; i++) values[i] = prefix === 'adam.v' ? rng.next() * 1e-6 : 2 * rng.next() - 1;
      tensors.set(`${prefix}/${spec.name}`, { shape: [...spec.shape], values });
    }
  }
  const config = defaultTrainingConfig('tiny', { preset: 'custom', unet: SMALL_UNET, dims: [16, 16, 4], batchSize: 2, microBatchSize: 2, seed: 7 });
  const training = withTraining
    ? {
        step: 3,
        bestValLoss: 0.25,
        bestStep: 2,
        history: [
          { step: 1, loss: 0.5, valLoss: null },
          { step: 2, loss: 0.4, valLoss: 0.25 },
          { step: 3, loss: 0.3, valLoss: null },
        ],
        rng: rng.state(),
        sampler: { order: [1, 0, 2], position: 2 },
        adamStep: 3,
      }
    : null;
  return { config, training, tensors };
}

export function smallCheckpointBytes(withTraining = true): Uint8Array {
  return serializeCheckpoint(smallCheckpoint(withTraining));
}

/** The JSON header of checkpoint bytes, parsed. */
export function headerOf(bytes: Uint8Array): Record<string, unknown> {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>;
}

/** The same checkpoint with its JSON header replaced by `edit`'s result (tensor data kept; offsets are relative to it). */
export function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => unknown): Uint8Array {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const data = bytes.subarray(Math.ceil((12 + length) / 4) * 4);
  const json = new TextEncoder().encode(JSON.stringify(edit(headerOf(bytes))));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const out = new Uint8Array(dataStart + data.length);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, dataStart);
  return out;
}

/** A copy of bytes with the float32 at `index` of tensor `name` set to `value`. */
export function withTensorValue(bytes: Uint8Array, name: string, index: number, value: number): Uint8Array {
  const header = headerOf(bytes) as { tensors: { name: string; offset: number }[] };
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const entry = header.tensors.find((t) => t.name === name);
  if (!entry) throw new Error(`withTensorValue: no tensor ${name}`);
  const out = bytes.slice();
  new DataView(out.buffer).setFloat32(Math.ceil((12 + length) / 4) * 4 + entry.offset + 4 * index, value, true);
  return out;
}
