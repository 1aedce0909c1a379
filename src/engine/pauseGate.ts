// A gate a training run waits at between steps while it is paused; the run's AbortSignal releases a waiting run.

/**
 * Open unless paused. `passed(signal)` resolves at once when open, else on resume() or when the signal aborts, so a
 * paused run can still be cancelled.
 * @example
 * const gate = new PauseGate();
 * gate.pause();
 * setTimeout(() => gate.resume(), 100);
 * await gate.passed(controller.signal); // returns after resume() (or an abort)
 */
export class PauseGate {
  /** While paused: the promise resume() resolves, and its resolver. */
  private closed: { opened: Promise<void>; open: () => void } | null = null;

  get paused(): boolean {
    return this.closed !== null;
  }

  pause(): void {
    if (this.closed !== null) return;
    let open = (): void => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.closed = { opened, open };
  }

  resume(): void {
    this.closed?.open();
    this.closed = null;
  }

  async passed(signal?: AbortSignal): Promise<void> {
    const closed = this.closed;
    if (closed === null || signal?.aborted) return;
    if (signal === undefined) return closed.opened;
    let onAbort = (): void => undefined;
    const aborted = new Promise<void>((resolve) => (onAbort = resolve));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([closed.opened, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
