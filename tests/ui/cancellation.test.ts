// The foreground job: one at a time, stopped through its AbortSignal, its status line told why and when it has stopped.
import { describe, expect, it } from 'vitest';
import { JobStopped, startForegroundJob, stopForegroundJob } from '../../src/ui/actions/cancellation.ts';

/** A job that runs until its signal aborts, then finishes its step (one microtask turn) and records what it saw. */
function untilAborted(seen: string[]): (signal: AbortSignal) => Promise<void> {
  return (signal) =>
    new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        seen.push(signal.reason instanceof JobStopped ? 'aborted with JobStopped' : 'aborted otherwise');
        void Promise.resolve().then(() => {
          seen.push('step finished');
          resolve();
        });
      });
    });
}

describe('foreground job', () => {
  it('tells the status line why it stops, and that it stopped only once its step is finished', async () => {
    const seen: string[] = [];
    const statusLine = { stopping: (why: string) => seen.push(`stopping: ${why}`), stopped: (why: string) => seen.push(`stopped: ${why}`) };
    const done = startForegroundJob(untilAborted(seen), statusLine);
    await stopForegroundJob('training started');
    await done;
    expect(seen).toEqual(['aborted with JobStopped', 'stopping: training started', 'step finished', 'stopped: training started']);
  });

  it('stops the job before it quietly when a new one starts, and does nothing when none runs', async () => {
    const seen: string[] = [];
    const quiet = { stopping: () => seen.push('stopping'), stopped: () => seen.push('stopped') };
    const first = startForegroundJob(untilAborted(seen), quiet);
    await startForegroundJob(async () => {
      seen.push('second ran');
    }, quiet);
    await first;
    await stopForegroundJob('nothing to stop');
    expect(seen).toEqual(['aborted with JobStopped', 'step finished', 'second ran']);
  });
});
