// Tests that scoring threads keep each case's inputs between alpha moves (sent once, re-sent after eviction) and still give the serial numbers to the bit.
import { describe, expect, it } from 'vitest';
import { AnalysisPipeline, type ScoreRequest } from '../../src/analysis/pipeline.ts';
import { runScoringJob, scoringInputsBytes, type PooledScoringJob, type ScoringInputs, type ScoringJobResult } from '../../src/analysis/scoringJob.ts';
import { InProcessScoringPool, serveScoring, ThreadScoringPool, type ScoringPool, type ScoringPort, type ScoringReplyMessage, type ScoringRequestMessage } from '../../src/analysis/scoringPool.ts';
import type { Dims3 } from '../../src/core/volume.ts';
import { FakeModel, syntheticCase } from './syntheticCases.ts';

const dims: Dims3 = [8, 8, 6];

/** A case's inputs from a small linear congruential generator, so each seed gives other, fixed numbers. */
function inputsFor(seed: number): ScoringInputs {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const n = dims[0] * dims[1] * dims[2];
  return {
    structural: Float32Array.from({ length: n }, next),
    l1: Float32Array.from({ length: n }, next),
    erodedBrainMask: Uint8Array.from({ length: n }, () => (next() < 0.8 ? 1 : 0)),
    labels: Uint8Array.from({ length: n }, () => (next() < 0.2 ? 1 : 0)),
    dims,
  };
}

const cases = [1, 2, 3].map((seed) => ({ inputsKey: `case-${seed}`, inputs: inputsFor(seed) }));
const caseBytes = scoringInputsBytes(cases[0].inputs);

function job(c: (typeof cases)[number], alpha: number): PooledScoringJob {
  return { inputsKey: c.inputsKey, inputs: () => c.inputs, settings: { score: 'fq', alpha } };
}

/** A scoring thread on this thread: messages are copied and delivered a macrotask later, as postMessage does; posts to it are logged. */
function channelPort(posted: ScoringRequestMessage[], replies: ScoringReplyMessage[], threadResidentBytes: number): ScoringPort {
  let toPool: (message: ScoringReplyMessage) => void = () => undefined;
  let toThread: (message: ScoringRequestMessage) => void = () => undefined;
  serveScoring({ onMessage: (listener) => (toThread = listener), post: (message) => setTimeout(() => (replies.push(message), toPool(structuredClone(message)))) }, threadResidentBytes);
  return {
    post: (message) => {
      posted.push(message);
      const copy = structuredClone(message);
      setTimeout(() => toThread(copy));
    },
    onMessage: (listener) => (toPool = listener),
    onFailure: () => undefined,
    terminate: () => undefined,
  };
}

function sameResult(got: ScoringJobResult, want: ScoringJobResult): boolean {
  return Buffer.from(got.map.buffer).equals(Buffer.from(want.map.buffer)) && JSON.stringify(got.ranking) === JSON.stringify(want.ranking);
}

async function move(pool: ScoringPool, alpha: number): Promise<boolean[]> {
  const results = await Promise.all(cases.map((c) => pool.run(job(c, alpha))));
  return results.map((got, i) => sameResult(got, runScoringJob({ ...cases[i].inputs, settings: { score: 'fq', alpha } })));
}

describe('resident inputs in scoring threads', () => {
  it("sends each case's inputs once; later alpha moves send only the key and settings, with the serial bits", async () => {
    const posted: ScoringRequestMessage[] = [];
    const pool = new ThreadScoringPool(2, () => channelPort(posted, [], 1 << 20), 1 << 20);
    expect(await move(pool, 0.3)).toEqual([true, true, true]);
    expect(posted.filter((m) => m.inputs).map((m) => m.inputsKey).sort()).toEqual(['case-1', 'case-2', 'case-3']);
    posted.length = 0;
    expect(await move(pool, 0.9)).toEqual([true, true, true]);
    expect(await move(pool, 0.5)).toEqual([true, true, true]);
    expect(posted.length).toBe(6);
    expect(posted.filter((m) => m.inputs)).toEqual([]);
  });

  it('a thread whose budget evicted a case asks for it again and then scores it', async () => {
    const posted: ScoringRequestMessage[] = [];
    const replies: ScoringReplyMessage[] = [];
    // The thread holds one case (the last it was sent) while the pool believes it holds all three.
    const pool = new ThreadScoringPool(1, () => channelPort(posted, replies, caseBytes), 1 << 20);
    expect(await move(pool, 0.3)).toEqual([true, true, true]);
    posted.length = 0;
    expect(await move(pool, 0.6)).toEqual([true, true, true]);
    expect(replies.filter((r) => 'missingInputs' in r).length).toBe(3);
    expect(posted.filter((m) => m.inputs).map((m) => m.inputsKey)).toEqual(['case-1', 'case-2', 'case-3']);
    expect(posted.length).toBe(6);
  });

  it("with the thread's own budget the pool knows what was evicted and re-sends it without asking", async () => {
    const posted: ScoringRequestMessage[] = [];
    const replies: ScoringReplyMessage[] = [];
    const pool = new ThreadScoringPool(1, () => channelPort(posted, replies, 2 * caseBytes), 2 * caseBytes);
    await move(pool, 0.3);
    posted.length = 0;
    expect(await move(pool, 0.6)).toEqual([true, true, true]);
    expect(replies.filter((r) => 'missingInputs' in r)).toEqual([]);
    expect(posted.filter((m) => m.inputs).length).toBe(3);
  });

  it('a failing inputs() rejects that job only; the thread stays usable', async () => {
    const pool = new ThreadScoringPool(1, () => channelPort([], [], 1 << 20), 1 << 20);
    const broken: PooledScoringJob = { inputsKey: 'broken', inputs: () => { throw new Error('no maps'); }, settings: { score: 'fq', alpha: 0.5 } };
    await expect(pool.run(broken)).rejects.toThrow('no maps');
    expect(await move(pool, 0.4)).toEqual([true, true, true]);
  });
});

describe('the pipeline names inputs by the arrays they are', () => {
  it('an alpha move keeps every case\'s key; a redefined case gets a new one', async () => {
    const pipeline = new AnalysisPipeline();
    const study = [syntheticCase('val1', 'validation', 1, 3), syntheticCase('test1', 'test', 4, 3)];
    for (const c of study) pipeline.cases.put(c);
    const model = new FakeModel('m');
    await pipeline.reconstruct(model, { caseIds: ['val1', 'test1'], noiseLevel: 500, seed: 1 });
    const keys: string[][] = [];
    const recording: ScoringPool = {
      size: 1,
      run: (pooled, signal) => (keys.at(-1)?.push(pooled.inputsKey), new InProcessScoringPool().run(pooled, signal)),
      dispose: () => undefined,
    };
    const request: ScoreRequest = { modelId: 'm', noiseLevel: 500, seed: 1, alpha: 0.7, score: 'fq', thresholdSource: 'validation-search' };
    for (const alpha of [0.7, 0.2]) {
      keys.push([]);
      await pipeline.scoreStudy({ ...request, alpha }, { pool: recording });
    }
    expect(keys[1]).toEqual(keys[0]);
    pipeline.cases.put(syntheticCase('test1', 'test', 6, 2));
    await pipeline.reconstruct(model, { caseIds: ['test1'], noiseLevel: 500, seed: 1 });
    keys.push([]);
    await pipeline.scoreStudy({ ...request, alpha: 0.5 }, { pool: recording });
    expect(keys[2][0]).toBe(keys[0][0]);
    expect(keys[2][1]).not.toBe(keys[0][1]);
  });
});
