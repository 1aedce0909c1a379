// Lets tfjs's threaded SIMD WASM start its pthreads from a bundled worker by handing them the Emscripten factory's original source.
import threadedSimdFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedSimdSource from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?raw';

/**
 * tfjs-backend-wasm 4.22 (backend_wasm.js, init) gives every pthread worker a Blob script made of
 * `var WasmBackendModuleThreadedSimd = ` + factory.toString(). Once the bundler has minified that factory, its
 * text refers to names of the scope around it (Emscripten's `_scriptDir` becomes `e`), which do not exist in the
 * pthread: each one dies with "e is not defined" and the backend never starts. This gives the factory (the very
 * function object tfjs imports) a toString that returns the file as shipped, wrapped into an expression whose
 * value is the factory, so the pthreads evaluate a self-contained script. Call before the WASM backend starts;
 * idempotent.
 */
export function installThreadedWasmSource(): void {
  const source = `(() => {\n${threadedSimdSource}\nreturn WasmBackendModuleThreadedSimd;\n})()`;
  Object.defineProperty(threadedSimdFactory, 'toString', { value: () => source, configurable: true });
}
