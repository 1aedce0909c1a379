// One foreground job at a time (the demo's run), one AbortController each: anything the user starts stops it cleanly between its steps.

/** The abort reason of a stopped job: its work unwinds quietly on it. */
export class JobStopped extends Error {
  constructor() {
    super('the job was stopped');
    this.name = 'JobStopped';
  }
}

/** What a job says while it finishes its step and once it has stopped; `why` is what the user started (e.g. "training started"). */
export interface JobStatusLine {
  stopping: (why: string) => void;
  stopped: (why: string) => void;
}

interface ActiveJob {
  controller: AbortController;
  statusLine: JobStatusLine;
  done: Promise<void>;
}

let active: ActiveJob | null = null;

/**
 * Runs a job with an abort signal once the job before it has stopped (quietly); resolves when the work has ended. The
 * job is the foreground one from this call on, so a stop that comes while the previous one winds down stops it too.
 */
export function startForegroundJob(work: (signal: AbortSignal) => Promise<void>, statusLine: JobStatusLine): Promise<void> {
  const previous = active;
  const controller = new AbortController();
  const job: ActiveJob = { controller, statusLine, done: Promise.resolve() };
  active = job;
  job.done = (async () => {
    if (previous) {
      previous.controller.abort(new JobStopped());
      await previous.done.catch(() => undefined);
    }
    if (!controller.signal.aborted) await work(controller.signal);
  })().finally(() => {
    if (active === job) active = null;
  });
  return job.done;
}

/**
 * Stops the foreground job, if any, and waits until it has: fetches are aborted at once, a reconstruction already in the
 * worker finishes its case first (the worker cannot interrupt one; that takes up to ~20 s on a slow CPU).
 * `why` goes to the job's status line; null keeps it quiet (a new job follows).
 */
export async function stopForegroundJob(why: string | null): Promise<void> {
  const job = active;
  if (!job) return;
  if (!job.controller.signal.aborted) {
    job.controller.abort(new JobStopped());
    if (why !== null) job.statusLine.stopping(why);
  }
  await job.done.catch(() => undefined);
  if (why !== null) job.statusLine.stopped(why);
}
