// WebGPU for Node (the CLI) through the optional `webgpu` npm package (Dawn): installs navigator.gpu so tfjs-backend-webgpu can start.

/** Set to 1 to let the CLI run WebGPU on a software adapter (SwiftShader, llvmpipe), which it otherwise declines for WASM. */
export const ALLOW_SOFTWARE_WEBGPU_ENV = 'FQLAB_ALLOW_SOFTWARE_WEBGPU';

/** Added to "no adapter" reasons in Node: Dawn finds Linux GPUs through Vulkan, and the loader must be on the library path at process start. */
export const NODE_NO_ADAPTER_HINT =
  'Dawn (the webgpu package) found no GPU; on Linux it needs the Vulkan loader libvulkan.so.1 and a Vulkan driver on the library path when node starts';

export interface NodeWebGpuStatus {
  ok: boolean;
  /** Why not, when ok is false. */
  reason: string;
}

/** The part of the `webgpu` package used here (its own types would pull @webgpu/types into every file). */
interface DawnModule {
  create(options: string[]): object;
  globals: object;
}

let installing: Promise<NodeWebGpuStatus> | null = null;

/**
 * Loads Dawn once and makes it the page-like WebGPU tfjs expects: the GPU* globals (GPUBufferUsage, ...) and
 * navigator.gpu (Node 20 has no navigator; later Nodes get gpu added to theirs). Must run before
 * '@tensorflow/tfjs-backend-webgpu' is first imported, which registers its backend only when navigator.gpu exists.
 * Never throws: a missing package or a failing native module comes back as ok false with the reason.
 */
export function installNodeWebGpu(): Promise<NodeWebGpuStatus> {
  installing ??= install();
  return installing;
}

async function install(): Promise<NodeWebGpuStatus> {
  const scope = globalThis as { navigator?: { gpu?: unknown } } & Record<string, unknown>;
  if (scope.navigator?.gpu !== undefined) return { ok: true, reason: '' };
  let dawn: DawnModule;
  try {
    // A computed specifier keeps bundlers from pulling the native Node package into the browser build.
    const specifier = 'webgpu';
    dawn = (await import(/* @vite-ignore */ specifier)) as DawnModule;
  } catch (e) {
    return { ok: false, reason: `the optional webgpu package (Dawn for Node) could not be loaded (${errorText(e)}); run npm install webgpu` };
  }
  let gpu: object;
  try {
    gpu = dawn.create([]);
  } catch (e) {
    return { ok: false, reason: `Dawn (the webgpu package) failed to start: ${errorText(e)}` };
  }
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in scope)) scope[key] = value;
  }
  if (scope.navigator === undefined) scope.navigator = { gpu };
  else Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true, enumerable: true });
  return { ok: true, reason: '' };
}

/** Whether FQLAB_ALLOW_SOFTWARE_WEBGPU=1 is set (Node only; false in a browser). */
export function softwareWebGpuAllowedByEnv(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[ALLOW_SOFTWARE_WEBGPU_ENV] === '1';
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
