// The one compute-worker client the workbench uses, created on first use (volumes and tensors live behind it, never in React).
import { createWorkerClient, type FqlabWorkerClient } from '../../../workers/client.ts';

let client: FqlabWorkerClient | null = null;

/** The shared worker client; the first call spawns the worker (it restarts itself and replays state if the worker dies). */
export function workbenchWorker(): FqlabWorkerClient {
  client ??= createWorkerClient();
  return client;
}
