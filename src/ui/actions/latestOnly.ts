// Coalesces bursts of requests (alpha slider drags, noise-level edits): one run (or one request out) at a time, and only the newest waiting one goes next.
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

/**
 * Wraps a request whose sender says when it has answered (calls `answered`, once or more: e.g. when the first part of
 * its reply is in, and again when it ends): at most one request is out; calls meanwhile wait as one, and the newest
 * state goes out once the one out has answered. The sender reads the state it sends when it is called.
 * @example const move = oneOutLatestWaiting((answered) => void worker.score(request(), answered).finally(answered));
 */
export function oneOutLatestWaiting(send: (answered: () => void) => void): () => void {
  let out = false;
  let waiting = false;
  const request = (): void => {
    if (out) {
      waiting = true;
      return;
    }
    out = true;
    let done = false;
    send(() => {
      if (done) return;
      done = true;
      out = false;
      if (!waiting) return;
      waiting = false;
      request();
    });
  };
  return request;
}
