// One demo run at a time, and how anything the user starts stops it cleanly (at the next case boundary).
import { useDemoStore } from '../stores/demoStore.ts';

/** The abort reason of a stopped demo run: the pipeline unwinds quietly on it. */
export class DemoStopped extends Error {
  constructor() {
    super('the demo was stopped');
    this.name = 'DemoStopped';
  }
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<void>;
}

let active: ActiveRun | null = null;

/** Runs the demo work with an abort signal, after stopping any earlier run; resolves when the work has ended. */
export async function startDemoRun(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
  await stopDemo(null);
  const controller = new AbortController();
  const run: ActiveRun = { controller, done: Promise.resolve() };
  run.done = work(controller.signal).finally(() => {
    if (active === run) active = null;
  });
  active = run;
  return run.done;
}

/** True while a demo run is loading or reconstructing. */
export function demoRunning(): boolean {
  return active !== null;
}

/**
 * Stops the demo run, if any, and waits until it has: fetches are aborted at once, a reconstruction already in the
 * worker finishes its case first (the worker cannot interrupt one; that takes up to ~20 s on a slow CPU).
 * `why` (e.g. "training started") is shown in the demo status line; null keeps it quiet (a new demo run follows).
 */
export async function stopDemo(why: string | null): Promise<void> {
  const run = active;
  if (!run) return;
  if (!run.controller.signal.aborted) {
    run.controller.abort(new DemoStopped());
    if (why !== null) useDemoStore.getState().set({ phase: 'stopping', step: `Stopping the demo (${why}): finishing the case in progress…` });
  }
  await run.done.catch(() => undefined);
  if (why !== null) useDemoStore.getState().set({ phase: 'paused', step: `Demo paused: ${why}.` });
}
