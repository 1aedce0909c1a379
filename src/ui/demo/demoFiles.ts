// Fetches the demo's files from this page's origin and reads its manifest and a real track's stored results; a failure names the file.
import { JobStopped } from '../actions/cancellation.ts';
import type { RealTrackInfo, RealTrackResult } from '../stores/demoStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { parseDemoManifest, type DemoCase, type DemoManifest } from './demoManifest.ts';
import { demoUrl, type DemoTrack } from './demoSettings.ts';
import { parseRealTrackResults } from './realTrackResults.ts';

/** A demo step failed: the file it concerns and what to do, for the error banner. */
export class DemoFailure extends Error {
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fetches one demo file from this page's origin; a failure says which file and what to do. */
async function fetchDemoFile(path: string, signal: AbortSignal): Promise<Response> {
  const shown = `demo/${path}`;
  let response: Response;
  try {
    response = await fetch(demoUrl(path), { signal });
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(shown, `could not be downloaded (${String(error)}); check that the page's server is still running, then click “Resume demo”.`);
  }
  if (!response.ok) {
    throw new DemoFailure(
      shown,
      `the server answered HTTP ${response.status}; the demo files are missing from this deployment (rebuild it with public/demo/, see public/demo/README.md). You can still drop your own files.`,
    );
  }
  return response;
}

export async function fetchBytes(path: string, signal: AbortSignal): Promise<ArrayBuffer> {
  const response = await fetchDemoFile(path, signal);
  try {
    return await response.arrayBuffer();
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(`demo/${path}`, `the download broke off (${String(error)}); click “Resume demo” to try again.`);
  }
}

/** Parsed manifests by path under demo/ (the two real tracks share one). */
const manifestCache = new Map<string, DemoManifest>();

export async function loadManifest(path: string, signal: AbortSignal): Promise<DemoManifest> {
  const cached = manifestCache.get(path);
  if (cached) return cached;
  const response = await fetchDemoFile(path, signal);
  let manifest: DemoManifest;
  try {
    manifest = parseDemoManifest(await response.json());
  } catch (error) {
    if (signal.aborted) throw new JobStopped();
    throw new DemoFailure(`demo/${path}`, `is not a valid demo manifest (${error instanceof Error ? error.message : String(error)}); regenerate it with npm run make-demo.`);
  }
  manifestCache.set(path, manifest);
  return manifest;
}

/** The real track's stored evaluation of one modality; a missing or broken file only leaves the numbers out (reported). */
export async function loadRealResults(track: DemoTrack, signal: AbortSignal): Promise<RealTrackResult[]> {
  const path = `${track.folder}models/results.json`;
  try {
    const rows = parseRealTrackResults(await (await fetchDemoFile(path, signal)).json());
    return rows.filter((row) => row.modality === track.modality);
  } catch (error) {
    if (signal.aborted || error instanceof JobStopped) throw new JobStopped();
    const why = error instanceof DemoFailure ? error.message : `is not a valid results file (${error instanceof Error ? error.message : String(error)})`;
    useErrorStore.getState().report(`demo/${path}`, `${why}; the demo runs without the stored comparison (scripts/results/real-demo-table.sh writes it).`);
    return [];
  }
}

/** What the real-scan notice shows for this track's cases. */
export function realTrackInfo(track: DemoTrack, manifest: DemoManifest, cases: readonly DemoCase[], results: RealTrackResult[]): RealTrackInfo {
  const credits = new Map(cases.flatMap((c) => (c.credit ? [[c.credit.source, c.credit] as const] : [])));
  const modality = track.modality ?? cases[0]?.modality ?? 'T2';
  const thresholdCase = cases.find((c) => c.split === 'validation' && c.files.seg)?.id ?? '';
  return { modality, credits: [...credits.values()], training: manifest.training[modality] ?? null, thresholdCase, results };
}
