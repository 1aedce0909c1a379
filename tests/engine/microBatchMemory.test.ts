// A training pass that runs past the WASM heap is refused in one line that says what to lower, not as a bare RuntimeError.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FqlabError } from '../../src/core/errors.ts';
import { weightedGradients, type Batch, type LossSetup } from '../../src/engine/microBatch.ts';
import type { MethodNetwork } from '../../src/engine/methods/types.ts';

function networkFailingWith(error: Error): MethodNetwork {
  return { batchLoss: () => { throw error; } } as unknown as MethodNetwork;
}

const part = { size: 200 } as Batch;
const setup = {} as LossSetup;

describe('weightedGradients', () => {
  it('turns the WASM heap abort into a too-large refusal naming the pass size and what to lower', () => {
    const variables = [tf.variable(tf.zeros([1]))];
    let caught: unknown;
    try {
      weightedGradients(networkFailingWith(new WebAssembly.RuntimeError('memory access out of bounds')), variables, part, 1, setup);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FqlabError);
    expect((caught as FqlabError).code).toBe('too-large');
    expect((caught as FqlabError).message).toMatch(/200 slices.*memory access out of bounds.*smaller batch or preset.*--micro-batch/);
    variables.forEach((v) => v.dispose());
  });

  it('lets every other error through unchanged', () => {
    const variables = [tf.variable(tf.zeros([1]))];
    const other = new TypeError('not a heap problem');
    expect(() => weightedGradients(networkFailingWith(other), variables, part, 1, setup)).toThrow(other);
    variables.forEach((v) => v.dispose());
  });
});
