// Web Worker entry: exposes the fqlab compute API over comlink (all volumes and tensors live here, off the UI thread).
import * as Comlink from 'comlink';
import { WASM_ASSET_URLS } from '../src/engine/wasmAssets.browser.ts';
import { installThreadedWasmSource } from '../src/engine/wasmThreads.browser.ts';
import { browserScanReaders } from '../src/formats/readers.browser.ts';
import { browserScoringPool } from './browserScoringPool.ts';
import { browserRegistrationServices } from './elastixBrowser.ts';
import { exposedApi } from './exposedApi.ts';
import { Session } from '../src/session/session.ts';

// Threaded WASM (when the page is cross-origin isolated) needs the unminified factory source for its pthreads.
installThreadedWasmSource();

Comlink.expose(exposedApi(new Session({ wasmPaths: WASM_ASSET_URLS, scanReaders: browserScanReaders, registration: browserRegistrationServices(), scoringPool: browserScoringPool() })));
