// Web Worker entry: exposes the fqlab compute API over comlink (all volumes and tensors live here, off the UI thread).
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { WASM_ASSET_URLS } from '../src/engine/wasmAssets.browser.ts';
import { exposedApi } from './exposedApi.ts';
import { FqlabWorker } from './fqlabWorker.ts';

// tfjs's threaded WASM starts pthread workers that load the main script with importScripts, which fails for this
// bundled ES-module worker ("e is not defined" in every pthread): use the single-threaded SIMD build here.
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

Comlink.expose(exposedApi(new FqlabWorker({ wasmPaths: WASM_ASSET_URLS })));
