// Coalesces bursts of requests (alpha slider drags, noise-level edits): one run at a time, and only the newest waiting one runs next.
/**
 * Wraps an async task so that calls made while it runs are not queued one by one: when the current run ends,
 * only the most recent pending argument runs. Every caller's promise settles when the queue is empty.
 * @example const rescore = latestOnly((alpha: number) => worker.score({ ...settings, alpha }).then(show));
 */
export function latestOnly<A>(task: (arg: A) => Promise<void>): (arg: A) => Promise<void> {
  let running: Promise<void> | null = null;
  let pending: { arg: A } | null = null;
  return (arg: A) => {
    pending = { arg };
    running ??= (async () => {
      while (pending) {
        const next = pending.arg;
        pending = null;
        await task(next);
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };
}
