// Tests that scoring threads keep each case's inputs between alpha moves (sent once, re-sent after eviction), queue a study's jobs without waiting for the pool, drop cancelled ones, and still give the serial numbers to the bit.
import { describe, expect, it, vi } from 'vitest';
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

/** Holds messages while `holding` (a busy thread does not read them); release() delivers them all at once, in order. */
class Gate {
  holding = true;
  private readonly held: (() => void)[] = [];

  pass(deliver: () => void): void {
    if (this.holding) this.held.push(deliver);
    else setTimeout(deliver);
  }

  release(): void {
    this.holding = false;
    for (const deliver of this.held.splice(0)) deliver();
  }
}

/**
 * A scoring thread on this thread: messages are copied and delivered a macrotask later, as postMessage does, or held by
 * a gate (`toPool`: the pool's own thread is busy, as the browser's compute worker is during inference; `toThread`:
 * the scoring thread is). The jobs posted to it are logged, and so is every reply it sends.
 */
function channelPort(posted: ScoringRequestMessage[], replies: ScoringReplyMessage[], threadResidentBytes: number, gates: { toPool?: Gate; toThread?: Gate } = {}): ScoringPort {
  const open = new Gate();
  open.release();
  const { toPool: poolGate = open, toThread: threadGate = open } = gates;
  let toPool: (message: ScoringReplyMessage) => void = () => undefined;
  let toThread: (message: Parameters<ScoringPort['post']>[0]) => void = () => undefined;
  serveScoring(
    {
      onMessage: (listener) => (toThread = listener),
      post: (message) => {
        replies.push(message);
        const copy = structuredClone(message);
        poolGate.pass(() => toPool(copy));
      },
    },
    threadResidentBytes,
  );
  return {
    post: (message) => {
      if (!('cancel' in message)) posted.push(message);
      const copy = structuredClone(message);
      threadGate.pass(() => toThread(copy));
    },
    onMessage: (listener) => (toPool = listener),
    onFailure: () => undefined,
    terminate: () => undefined,
  };
}

function sameBytes(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Map, ranking and sorted scores equal to the bit (the sorted scores are what the threshold search reads). */
function sameResult(got: ScoringJobResult, want: ScoringJobResult): boolean {
  const sortedSame =
    got.sorted === want.sorted ||
    (sameBytes(got.sorted?.thresholds, want.sorted?.thresholds) &&
      sameBytes(got.sorted?.truePositives, want.sorted?.truePositives) &&
      sameBytes(got.sorted?.falsePositives, want.sorted?.falsePositives));
  return sameBytes(got.map, want.map) && JSON.stringify(got.ranking) === JSON.stringify(want.ranking) && sortedSame;
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
    // The thread kept the last case it was sent: the other two are asked for and sent again.
    expect(replies.filter((r) => 'missingInputs' in r).length).toBe(2);
    expect(posted.filter((m) => m.inputs).map((m) => m.inputsKey)).toEqual(['case-1', 'case-2']);
    expect(posted.length).toBe(5);
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

  it('a case sent to a second thread (its holder was busy) is sent to neither again', async () => {
    const posted: ScoringRequestMessage[] = [];
    const pool = new ThreadScoringPool(2, () => channelPort(posted, [], 1 << 20), 1 << 20, 0);
    // One at a time: case-1 goes to the first thread, case-2 to the second (it holds less).
    for (const c of cases.slice(0, 2)) await pool.run(job(c, 0.3));
    // case-1 twice at once: the first thread is busy with it, so the second is sent case-1 too.
    await Promise.all([0.4, 0.5].map((alpha) => pool.run(job(cases[0], alpha))));
    await Promise.all([0.6, 0.7].map((alpha) => pool.run(job(cases[0], alpha))));
    expect(posted.filter((m) => m.inputs).map((m) => m.inputsKey)).toEqual(['case-1', 'case-2', 'case-1']);
  });

  it('cases scored one at a time spread over the threads, so the next study copies nothing and splits evenly', async () => {
    const study = [11, 12, 13, 14].map((seed) => ({ inputsKey: `case-${seed}`, inputs: inputsFor(seed) }));
    const postedTo: ScoringRequestMessage[][] = [];
    const pool = new ThreadScoringPool(2, () => channelPort((postedTo[postedTo.length] = []), [], 1 << 20), 1 << 20);
    // As the demo scores its cases while it reconstructs them.
    for (const c of study) await pool.run(job(c, 0.3));
    expect(postedTo.map((posted) => posted.length)).toEqual([2, 2]);
    for (const posted of postedTo) posted.length = 0;
    await Promise.all(study.map((c) => pool.run(job(c, 0.4))));
    expect(postedTo.map((posted) => posted.length)).toEqual([2, 2]);
    expect(postedTo.flat().filter((m) => m.inputs)).toEqual([]);
  });

  it('a study whose inputs one thread holds is split evenly (it waits for its busiest thread); later moves copy nothing', async () => {
    const study = [11, 12, 13, 14].map((seed) => ({ inputsKey: `case-${seed}`, inputs: inputsFor(seed) }));
    const postedTo: ScoringRequestMessage[][] = [];
    const secondBusy = new Gate();
    const pool = new ThreadScoringPool(2, () => channelPort((postedTo[postedTo.length] = []), [], 1 << 20, postedTo.length === 2 ? { toThread: secondBusy } : {}), 1 << 20);
    // The second thread is busy with a case meanwhile, so the first is sent all four, one at a time.
    const [first, second] = [cases[0], cases[1]].map((c) => pool.run(job(c, 0.3)));
    await first;
    for (const c of study) await pool.run(job(c, 0.3));
    secondBusy.release();
    await second;
    expect(postedTo.map((posted) => posted.length)).toEqual([5, 1]);
    for (const alpha of [0.4, 0.5]) {
      for (const posted of postedTo) posted.length = 0;
      await Promise.all(study.map((c) => pool.run(job(c, alpha))));
      expect(postedTo.map((posted) => posted.length)).toEqual([2, 2]);
      expect(postedTo[1].filter((m) => m.inputs).length).toBe(alpha === 0.4 ? 2 : 0);
    }
  });

  it('a failing inputs() rejects that job only; the thread stays usable', async () => {
    const pool = new ThreadScoringPool(1, () => channelPort([], [], 1 << 20), 1 << 20);
    const broken: PooledScoringJob = { inputsKey: 'broken', inputs: () => { throw new Error('no maps'); }, settings: { score: 'fq', alpha: 0.5 } };
    await expect(pool.run(broken)).rejects.toThrow('no maps');
    expect(await move(pool, 0.4)).toEqual([true, true, true]);
  });
});

describe('jobs queue on the threads', () => {
  it("a thread goes on to its next case while the pool's own thread is busy and has not read its replies", async () => {
    const replies: ScoringReplyMessage[] = [];
    const busyPool = new Gate();
    const pool = new ThreadScoringPool(2, () => channelPort([], replies, 1 << 20, { toPool: busyPool }), 1 << 20);
    const study = Promise.all([...cases, ...cases].map((c, i) => pool.run(job(c, 0.1 * i))));
    // Every job is answered on the threads before the pool reads a single reply.
    await vi.waitFor(() => expect(replies.filter((r) => 'result' in r).length).toBe(6));
    busyPool.release();
    const results = await study;
    expect(results.map((got, i) => sameResult(got, runScoringJob({ ...cases[i % 3].inputs, settings: { score: 'fq', alpha: 0.1 * i } })))).toEqual(Array(6).fill(true));
  });

  it('jobs aborted while queued on a thread never run there; the newer move runs next and is exact', async () => {
    const posted: ScoringRequestMessage[] = [];
    const replies: ScoringReplyMessage[] = [];
    const busyThread = new Gate();
    const pool = new ThreadScoringPool(1, () => channelPort(posted, replies, 1 << 20, { toThread: busyThread }), 1 << 20);
    const older = new AbortController();
    const superseded = cases.map((c) => pool.run(job(c, 0.2), older.signal));
    older.abort(new Error('superseded'));
    for (const stale of superseded) await expect(stale).rejects.toThrow('superseded');
    const newer = move(pool, 0.7);
    busyThread.release();
    expect(await newer).toEqual([true, true, true]);
    const olderIds = posted.filter((m) => m.settings.alpha === 0.2).map((m) => m.id);
    expect(olderIds.length).toBe(3);
    expect(replies.filter((r) => olderIds.includes(r.id))).toEqual(olderIds.map((id) => ({ id, cancelled: true })));
    expect(replies.filter((r) => 'result' in r).length).toBe(3);
  });
});

describe('a scoring thread that dies', () => {
  it('fails the jobs posted to it with its error; the next job runs on a new thread, which is sent the inputs again', async () => {
    const posted: ScoringRequestMessage[] = [];
    const busyThread = new Gate();
    let spawned = 0;
    let die: (error: Error) => void = () => undefined;
    const pool = new ThreadScoringPool(1, () => {
      spawned++;
      const port = channelPort(posted, [], 1 << 20, spawned === 1 ? { toThread: busyThread } : {});
      return { ...port, onFailure: (listener) => (die = listener) };
    }, 1 << 20);
    const lost = cases.map((c) => pool.run(job(c, 0.3)));
    die(new Error('a scoring worker failed: out of memory; reload the page'));
    for (const result of lost) await expect(result).rejects.toThrow('out of memory');
    expect(await move(pool, 0.3)).toEqual([true, true, true]);
    expect(spawned).toBe(2);
    expect(posted.filter((m) => m.inputs).map((m) => m.inputsKey)).toEqual(['case-1', 'case-2', 'case-3', 'case-1', 'case-2', 'case-3']);
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
