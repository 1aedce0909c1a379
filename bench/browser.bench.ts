// Browser benchmark (plain tsx script): the workbench's demo in headless Chromium, then alpha moves timed from the slider
// to the viewed case's new result and to the whole study's metrics, the worker's own scoring time, and the viewed-case
// updates per second during a slider drag with what one viewed-case update costs in the page (performance measures),
// the moves again with the map overlay off (what scoring costs when software WebGL redraws no overlay beside it),
// and the Node rescoring's ratio to the numpy/scipy/sklearn reference (bench/rescore.bench.ts).
// Usage: npx tsx bench/browser.bench.ts [--moves 6] [--drag-steps 61] [--table-seeds 3] [--no-node] [--with-table]
// (builds the site and serves it with `vite preview`, like the e2e tests; --table-seeds 1 makes the demo's table, which
// the moves wait for, three times shorter)
import { chromium, type Page } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromiumArgs, chromiumPath } from '../e2e/chromium.ts';
import { VIEWER_MEASURES } from '../src/ui/viewer/viewerTimings.ts';

// FQLAB_BENCH_PORT lets runs beside other servers (e2e tests, other benches) pick a free port.
const port = Number(process.env.FQLAB_BENCH_PORT ?? 4291);
/** The number after a flag, or the default. */
function numberFlag(flag: string, fallback: number): number {
  const at = process.argv.indexOf(flag);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const moves = numberFlag('--moves', 6);
const dragSteps = numberFlag('--drag-steps', 61);
const tableSeeds = numberFlag('--table-seeds', 0);

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`browser bench: ${url} did not answer within ${timeoutMs / 1000} s`);
}

interface MoveTiming {
  /** Slider to the viewed case's result on the page (null when no frame showed it before the study was in). */
  viewedMs: number | null;
  /** Slider to the whole study's metrics in the table. */
  wallMs: number;
  workerMs: number;
}

/**
 * Milliseconds from an alpha move to the viewed case's result ("updating… viewed case X at alpha A") and to the metrics
 * table showing new numbers, checked every animation frame in the page, and the worker's "scored in" figure.
 */
async function timeAlphaMove(page: Page, alpha: string): Promise<MoveTiming> {
  const info = page.getByTestId('threshold-info');
  const before = await page.getByTestId('metric-table').textContent();
  // Plain source text: tsx would wrap a function's inner names in a helper the page does not have.
  const watching = page.evaluate(`new Promise((resolve, reject) => {
    const started = performance.now();
    let viewedMs = null;
    const frame = () => {
      const now = performance.now() - started;
      const updating = document.querySelector('[data-testid="metrics-updating"]')?.textContent ?? '';
      if (viewedMs === null && updating.includes(${JSON.stringify(`at alpha ${alpha}:`)})) viewedMs = now;
      if (document.querySelector('[data-testid="metric-table"]')?.textContent !== ${JSON.stringify(before)}) resolve({ viewedMs, wallMs: now });
      else if (now > 60000) reject(new Error('no new metrics 60 s after the alpha move'));
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  })`) as Promise<{ viewedMs: number | null; wallMs: number }>;
  await page.getByTestId('alpha-slider').fill(alpha);
  const { viewedMs, wallMs } = await watching;
  const workerMs = Number(/scored in (\d+) ms/.exec((await info.textContent()) ?? '')?.[1] ?? Number.NaN);
  return { viewedMs, wallMs, workerMs };
}

/** A slider drag: one alpha step every DRAG_STEP_MS, 0.01 apart from 0.20 up (--drag-steps of them). */
const DRAG_STEP_MS = 40;
const DRAG_ALPHAS = Array.from({ length: dragSteps }, (_, i) => (0.2 + i / 100).toFixed(2));

/**
 * Drags the alpha slider (an input event every DRAG_STEP_MS, as a pointer drag sends them) and counts, every animation
 * frame, how often the viewed case's result on the page changed to a newer alpha while the drag lasted.
 */
async function timeDrag(page: Page): Promise<{ updates: number; seconds: number; settledMs: number }> {
  const result = (await page.evaluate(`new Promise((resolve) => {
    const slider = document.querySelector('[data-testid="alpha-slider"]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const alphas = ${JSON.stringify(DRAG_ALPHAS)};
    const started = performance.now();
    let next = 0;
    let shown = '';
    let updates = 0;
    const timer = setInterval(() => {
      setValue.call(slider, alphas[next++]);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      if (next === alphas.length) clearInterval(timer);
    }, ${DRAG_STEP_MS});
    const frame = () => {
      const text = document.querySelector('[data-testid="metrics-updating"]')?.textContent ?? '';
      const alpha = / at alpha ([0-9.]+):/.exec(text)?.[1];
      if (alpha !== undefined && alpha !== shown) {
        shown = alpha;
        updates++;
      }
      if (next < alphas.length) requestAnimationFrame(frame);
      else resolve({ updates, seconds: (performance.now() - started) / 1000 });
    };
    requestAnimationFrame(frame);
  })`)) as { updates: number; seconds: number };
  // The whole study at the drag's last alpha, from the drag's end.
  const settling = Date.now();
  await page.getByTestId('metrics-updating').waitFor({ state: 'detached', timeout: 300_000 });
  return { ...result, settledMs: Date.now() - settling };
}

const load = (): string => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** Median and count of the page's performance measures of each VIEWER_MEASURES name, then clears them. */
async function viewerCosts(page: Page): Promise<string[]> {
  const names = Object.values(VIEWER_MEASURES);
  const durations = (await page.evaluate(`(() => {
    const names = ${JSON.stringify(names)};
    const out = names.map((name) => performance.getEntriesByName(name, 'measure').map((e) => e.duration));
    for (const name of names) performance.clearMeasures(name);
    return out;
  })()`)) as number[][];
  return names.map((name, i) => {
    const ms = [...durations[i]].sort((a, b) => a - b);
    return `  ${name}: ${ms.length > 0 ? `median ${ms[ms.length >> 1].toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms` : 'none'} (${ms.length}x)`;
  });
}

/** The lines of bench/rescore.bench.ts that compare Node with the Python reference (it prints why when it cannot). */
function nodeRescoreRatio(): string[] {
  const script = fileURLToPath(new URL('rescore.bench.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--repeats', '7'], { encoding: 'utf8' });
  if (run.status !== 0) return [`Node rescore bench failed: ${run.stderr.trim().split('\n').pop()}`];
  return run.stdout.split('\n').filter((line) => /^(rescore bench|per volume|Node \/ reference|reference skipped)/.test(line));
}

function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** Times alpha moves to each of `alphas` in turn and prints them and their medians; returns the whole study's median. */
async function timeMoves(page: Page, alphas: readonly string[]): Promise<number> {
  const results: MoveTiming[] = [];
  for (const alpha of alphas) {
    const r = await timeAlphaMove(page, alpha);
    results.push(r);
    const viewed = r.viewedMs === null ? 'not seen before the study' : `${r.viewedMs.toFixed(0)} ms`;
    console.log(`  alpha ${alpha}: viewed case after ${viewed}, whole study after ${r.wallMs.toFixed(0)} ms (worker scoring ${r.workerMs} ms)`);
  }
  const viewed = results.map((r) => r.viewedMs).filter((ms): ms is number => ms !== null);
  const studyMs = median(results.map((r) => r.wallMs));
  console.log(`median: viewed case ${viewed.length > 0 ? `${median(viewed).toFixed(0)} ms` : 'never seen'} from the slider (${viewed.length}/${results.length} moves), ${load()}`);
  console.log(`median: ${studyMs.toFixed(0)} ms from the slider to the whole study's table, worker ${median(results.map((r) => r.workerMs))} ms`);
  console.log('viewer, per viewed-case update during the moves:');
  for (const line of await viewerCosts(page)) console.log(line);
  return studyMs;
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`# fqlab browser benchmark\nmachine: ${cpus[0]?.model ?? 'unknown CPU'} x ${cpus.length}, Chromium ${chromiumPath}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('browser bench: vite build failed');
  const server = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'ignore', detached: true });
  const context = await chromium.launchPersistentContext('', { executablePath: chromiumPath, args: chromiumArgs, viewport: { width: 1400, height: 1000 } });
  try {
    await waitForServer(`http://127.0.0.1:${port}/`, 60_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const started = Date.now();
    await page.goto(`http://127.0.0.1:${port}/${tableSeeds > 0 ? `?tableSeeds=${tableSeeds}` : ''}`);
    await page.getByTestId('demo-status').filter({ hasText: 'Demo ready' }).waitFor({ timeout: 900_000 });
    const status = await page.getByTestId('demo-status').textContent();
    console.log(`demo ready after ${((Date.now() - started) / 1000).toFixed(1)} s: ${status}`);
    console.log(`backend: ${await page.locator('.backend-label').first().textContent()}`);
    // The demo goes on to reconstruct the paper's table with other checkpoints in the compute worker (it cannot be
    // stopped from the page once the demo is ready); the moves are timed after it (--with-table: beside it).
    if (!process.argv.includes('--with-table')) {
      const waited = Date.now();
      // The table's own status: its note reads "0 of 0 rows done" before it has loaded its models, too.
      const tableDone = `['done', 'failed', 'stopped'].includes(document.querySelector('[data-testid="demo-table"]')?.getAttribute('data-status') ?? '')`;
      // Polled from here: waitForFunction's own polling evaluates the string with eval, which the page's CSP forbids.
      while (!(await page.evaluate(tableDone))) {
        if (Date.now() - waited > 3_600_000) throw new Error('browser bench: the demo table did not finish within an hour');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      console.log(`demo table done ${((Date.now() - waited) / 1000).toFixed(1)} s later: ${(await page.getByTestId('demo-table-note').textContent())?.match(/\d+ of \d+ rows done/)?.[0] ?? 'rows unknown'}, ${load()}`);
    }
    const table = await page.getByTestId('metric-table').locator('tbody tr').count();
    console.log(`alpha moves with ${table} cases in the metrics table (scoring rescans every validation and test case):`);
    const studyMs = await timeMoves(page, ['0.5', '0.84', '0.3', '1', '0', '0.6', '0.9', '0.2'].slice(0, moves));
    const drag = await timeDrag(page);
    console.log(
      `drag: alpha ${DRAG_ALPHAS[0]} to ${DRAG_ALPHAS.at(-1)} in ${DRAG_ALPHAS.length} steps ${DRAG_STEP_MS} ms apart: ${drag.updates} viewed-case updates in ${drag.seconds.toFixed(1)} s (${(drag.updates / drag.seconds).toFixed(1)} a second); ${load()}`,
    );
    console.log(`whole study after a drag of ${DRAG_ALPHAS.length} moves: ${drag.settledMs} ms after the drag's end (${(drag.settledMs / studyMs).toFixed(1)}x a single move's ${studyMs.toFixed(0)} ms)`);
    console.log('viewer, per viewed-case update during the drag:');
    for (const line of await viewerCosts(page)) console.log(line);
    // The same moves at alphas nothing has scored yet, with no map overlay: software WebGL then redraws no overlay
    // while the study is scored, so this is what the scoring costs when the GPU process does not share the cores.
    await page.getByTestId('overlay-select').selectOption('none');
    console.log('alpha moves with the map overlay off (no overlay redraw in software WebGL while the study is scored):');
    await timeMoves(page, ['0.85', '0.15', '0.95', '0.05', '0.1', '0.9'].slice(0, moves));
  } finally {
    await context.close();
    // The server's process group; it is gone already when it could not start (say, the port was taken).
    if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid);
  }
  if (!process.argv.includes('--no-node')) for (const line of nodeRescoreRatio()) console.log(line);
}

await main();
