// React binding of NiiVue: creates its canvas in an effect, resizes with a ResizeObserver, releases the WebGL context on unmount;
// keeps one volume per (case, layer) and writes a viewed case's new FQ map into it in place.
import { useEffect, useRef, useState } from 'react';
import { MULTIPLANAR_TYPE, Niivue, SHOW_RENDER, SLICE_TYPE, type NVImage, type NiiVueLocation } from '@niivue/niivue';
import { layerDependencyKey, layerRequest, type EvaluationResult, type LayerRequest, type MapLayer } from '../../../workers/api.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useViewerStore, type ViewLayout } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { applyOutlineLabel, brainMaskOf, layerToImage, rewindowMap, windowIsStale, writeMapVoxels } from './layerLoader.ts';
import { LAYER_NAMES, layerFromVolumeName, OUTLINE_LAYERS, type LayerStyle } from './layerStyles.ts';
import { registerViewer } from './viewerHandle.ts';
import { VIEWER_MEASURES } from './viewerTimings.ts';

export interface NiivueViewerProps {
  caseId: string | null;
  /** Layers to show, bottom (the scan) to top. */
  layers: MapLayer[];
  /** Changes whenever the case was conformed again; every layer is reloaded then. */
  caseVersion: string;
  /** The score on screen: derived layers show its model, noise level, seed, alpha and threshold. */
  scored: Pick<EvaluationResult, 'key' | 'threshold'> | null;
}

/** Crosshair line width as a fraction of a voxel (about 2 screen pixels at the usual zoom). */
const CROSSHAIR_WIDTH_VOXELS = 0.3;

/** Volumes kept for going back to a case without reloading it: a few cases' worth of layers. */
const VOLUMES_KEPT = 24;

/** One loaded volume of a (case, layer). */
interface CachedLayer {
  /** The case's definition when it was loaded (the caseVersion prop). */
  caseVersion: string;
  /** layerDependencyKey of the voxels it holds now. */
  key: string;
  image: NVImage;
}

function slotOf(caseId: string, layer: MapLayer): string {
  return JSON.stringify([caseId, layer]);
}

/** Stores a volume as the most recently used one, dropping the least recently used beyond VOLUMES_KEPT. */
function keepVolume(volumes: Map<string, CachedLayer>, slot: string, entry: CachedLayer): void {
  volumes.delete(slot);
  volumes.set(slot, entry);
  for (const oldest of volumes.keys()) {
    if (volumes.size <= VOLUMES_KEPT) break;
    volumes.delete(oldest);
  }
}

function sliceTypeOf(layout: ViewLayout): SLICE_TYPE {
  return layout === 'axial' ? SLICE_TYPE.AXIAL : SLICE_TYPE.MULTIPLANAR;
}

/** Gives the shown volumes the layer styles (a kept volume of another case may have been loaded with older ones). */
function applyStyles(nv: Niivue, styles: Record<MapLayer, LayerStyle>): void {
  nv.volumes.forEach((image, index) => {
    const layer = layerFromVolumeName(image.name);
    if (!layer) return;
    const style = styles[layer];
    const outlineLabel = OUTLINE_LAYERS[layer];
    if (outlineLabel) applyOutlineLabel(image, style.colormap, outlineLabel);
    else if (image.colormap !== style.colormap) nv.setColormap(image.id, style.colormap);
    if (image.opacity !== style.opacity) nv.setOpacity(index, style.opacity);
  });
}

interface BudgetedRedraw {
  request: () => void;
  stop: () => void;
}

/**
 * Redraws at most once a frame however many requests came, and in a burst (a slider drag) about half the time at
 * most: a redraw waits as long as the one before it held the page until its frame was composited (a frame or two with
 * a GPU, about two seconds where Chromium draws WebGL in software), so the slider's input still gets through.
 */
function budgetedRedraw(redraw: () => void): BudgetedRedraw {
  let pending = false;
  let stopped = false;
  let notBefore = 0;
  const frame = (now: number): void => {
    if (stopped) return;
    if (now < notBefore) {
      requestAnimationFrame(frame);
      return;
    }
    pending = false;
    const started = performance.now();
    redraw();
    performance.measure(VIEWER_MEASURES.redraw, { start: started });
    // Two frames on: the redrawn frame has been composited then, which is where software WebGL spends its time.
    requestAnimationFrame(() =>
      requestAnimationFrame((after) => {
        performance.measure(VIEWER_MEASURES.redrawComposited, { start: started, end: after });
        notBefore = after + (after - started);
      }),
    );
  };
  return {
    request: () => {
      if (pending || stopped) return;
      pending = true;
      requestAnimationFrame(frame);
    },
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * Redraws after an overlay's voxels were written in place: what updateGLVolume does, less the background's refresh,
 * which re-uploads it and recomputes the 3D render's gradient texture (slow on software WebGL) though it did not change.
 * All overlays are refreshed, from the first: NiiVue blends them in order into one texture.
 */
function redrawOverlays(nv: Niivue): void {
  const shown = nv.volumes.filter((image) => image.toRAS);
  for (let layer = 1; layer < shown.length; layer++) nv.refreshLayers(shown[layer], layer);
  nv.drawScene();
}

function isLocation(value: unknown): value is NiiVueLocation {
  return typeof value === 'object' && value !== null && 'values' in value && 'vox' in value;
}

/** The NiiVue canvas with the requested layers of one case; colormap, opacity and layout follow the viewer store. */
export function NiivueViewer({ caseId, layers, caseVersion, scored }: NiivueViewerProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  // The instance lives in a ref (it is mutated); `ready` re-runs the effects that need it once it is attached.
  const nvRef = useRef<Niivue | null>(null);
  const [ready, setReady] = useState(0);
  const cache = useRef(new Map<string, CachedLayer>());
  const layout = useViewerStore((s) => s.layout);
  const styles = useViewerStore((s) => s.styles);
  const showCrosshair = useViewerStore((s) => s.showCrosshair);
  const viewedCase = useAnalysisStore((s) => s.viewedCase);
  const redrawRef = useRef<BudgetedRedraw | null>(null);
  // A map written in place while shown as the background (no other layer under it) needs the full refresh.
  const backChangedRef = useRef(false);

  // Create the canvas and NiiVue instance; undo everything on unmount (StrictMode mounts twice, so nothing is reused).
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const canvas = document.createElement('canvas');
    canvas.className = 'viewer-canvas';
    canvas.tabIndex = 0;
    canvas.setAttribute('aria-label', 'MRI viewer: click to move the crosshair, arrow keys change slice');
    container.append(canvas);
    const instance = new Niivue({
      dragAndDropEnabled: false,
      // The colorbar sits beside the canvas (MapColorbar), not over the image.
      isColorbar: false,
      backColor: [0.06, 0.07, 0.09, 1],
      crosshairColor: [0.25, 0.75, 1, 0.55],
      // A hairline: NiiVue's default (1 voxel) hides a small lesion under it.
      crosshairWidth: CROSSHAIR_WIDTH_VOXELS,
      crosshairGap: 6,
      multiplanarLayout: MULTIPLANAR_TYPE.ROW,
      multiplanarShowRender: SHOW_RENDER.NEVER,
      show3Dcrosshair: false,
      isOrientCube: false,
      logLevel: 'error',
      loadingText: '',
      sliceType: SLICE_TYPE.AXIAL,
      atlasOutline: 1,
    });
    instance.onLocationChange = (location: unknown) => {
      if (!isLocation(location)) return;
      const values: { layer: MapLayer; value: number }[] = [];
      for (const v of location.values) {
        const layer = layerFromVolumeName(v.name);
        if (layer) values.push({ layer, value: v.value });
      }
      const [i, j, k] = location.vox;
      useViewerStore.getState().setReadout({ voxel: [i, j, k], values });
    };
    let disposed = false;
    const observer = new ResizeObserver(() => instance.resizeListener());
    void instance.attachToCanvas(canvas).then(
      () => {
        if (disposed) return;
        observer.observe(container);
        registerViewer(instance);
        nvRef.current = instance;
        redrawRef.current = budgetedRedraw(() => {
          if (backChangedRef.current) instance.updateGLVolume();
          else redrawOverlays(instance);
          backChangedRef.current = false;
          instance.createOnLocationChange();
        });
        setReady((n) => n + 1);
      },
      (error: unknown) => {
        if (!disposed) useErrorStore.getState().report('', `The viewer could not start WebGL2: ${toUserError(error).message}. Enable hardware acceleration in the browser settings.`);
      },
    );
    const layerCache = cache.current;
    return () => {
      disposed = true;
      redrawRef.current?.stop();
      redrawRef.current = null;
      observer.disconnect();
      registerViewer(null);
      instance.cleanup();
      canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
      canvas.remove();
      layerCache.clear();
      nvRef.current = null;
    };
  }, []);

  useEffect(() => {
    nvRef.current?.setSliceType(sliceTypeOf(layout));
  }, [ready, layout]);

  useEffect(() => {
    nvRef.current?.setCrosshairWidth(showCrosshair ? CROSSHAIR_WIDTH_VOXELS : 0);
  }, [ready, showCrosshair]);

  // Load (or reuse) the wanted layers and show them in order; a newer request supersedes an older one. Each layer is
  // reloaded only when what it depends on changed (an alpha move leaves the reconstruction, l1 and SSIM layers alone,
  // and the FQ map is already in place when its viewed case came first); a reused map follows a new threshold's window.
  const requests = caseId === null ? [] : layers.map((layer) => layerRequest(caseId, layer, scored)).filter((r): r is LayerRequest => r !== null);
  const requestsJson = JSON.stringify(requests);
  useEffect(() => {
    const nv = nvRef.current;
    if (!nv) return;
    let superseded = false;
    const wanted = JSON.parse(requestsJson) as LayerRequest[];
    const volumes = cache.current;
    void (async () => {
      const images: NVImage[] = [];
      for (const request of wanted) {
        const { caseId: shownCase, layer } = request;
        const slot = slotOf(shownCase, layer);
        const key = layerDependencyKey(request);
        const cached = volumes.get(slot);
        if (cached?.caseVersion === caseVersion && cached.key === key) {
          if (windowIsStale(cached.image, layer)) await rewindowMap(cached.image, shownCase, layer);
          if (superseded) return;
          keepVolume(volumes, slot, cached);
          images.push(cached.image);
          continue;
        }
        try {
          const file = await workbenchWorker().getLayer(request);
          if (superseded) return;
          const image = await layerToImage(file, useViewerStore.getState().styles[layer]);
          if (superseded) return;
          // A viewed case's map written into this volume meanwhile is newer than the one just loaded: that one stays.
          const now = volumes.get(slot);
          const entry = now && now !== cached && now.caseVersion === caseVersion ? now : { caseVersion, key, image };
          keepVolume(volumes, slot, entry);
          images.push(entry.image);
        } catch (error) {
          if (superseded) return;
          const { message } = toUserError(error);
          useErrorStore.getState().report(shownCase, `could not show the ${LAYER_NAMES[layer]}: ${message}`);
          if (layer === 'image') break;
        }
      }
      if (superseded) return;
      nv.volumes = images;
      nv.back = images[0] ?? null;
      nv.overlays = images.slice(1);
      applyStyles(nv, useViewerStore.getState().styles);
      nv.updateGLVolume();
      // The crosshair readout lists every shown layer: refresh it for the layers just loaded, not only on the next click.
      if (images.length > 0) nv.createOnLocationChange();
    })();
    return () => {
      superseded = true;
    };
  }, [ready, requestsJson, caseVersion]);

  // The viewed case's new FQ map (sent with the score reply, before the study) goes into its loaded FQ volume in
  // place: no layer request, no NIfTI. The study's evaluation then finds that volume current.
  useEffect(() => {
    const nv = nvRef.current;
    if (!nv || !viewedCase || viewedCase.key.score !== 'fq' || viewedCase.metrics.caseId !== caseId) return;
    const slot = slotOf(caseId, 'fq');
    const key = layerDependencyKey({ caseId, layer: 'fq', ...viewedCase.key, threshold: null });
    const volumes = cache.current;
    // A newer viewed case, another case or an unmounted viewer makes this one moot.
    let moot = false;
    void brainMaskOf(caseId).then(
      (mask) => {
        const entry = volumes.get(slot);
        if (moot || !mask || !entry || entry.caseVersion !== caseVersion || entry.key === key) return;
        const started = performance.now();
        if (!writeMapVoxels(entry.image, caseId, 'fq', viewedCase.map, mask)) return;
        performance.measure(VIEWER_MEASURES.writeVoxels, { start: started });
        volumes.set(slot, { ...entry, key });
        if (nv.volumes[0] === entry.image) backChangedRef.current = true;
        if (nv.volumes.includes(entry.image)) redrawRef.current?.request();
      },
      // The mask failed to load: the study's evaluation loads the FQ layer (and reports the error) instead.
      () => undefined,
    );
    return () => {
      moot = true;
    };
  }, [ready, viewedCase, caseId, caseVersion]);

  // Colormap and opacity changes apply to the loaded images without reloading them.
  useEffect(() => {
    const nv = nvRef.current;
    if (!nv) return;
    applyStyles(nv, styles);
    nv.updateGLVolume();
  }, [ready, styles]);

  return <div ref={containerRef} className="viewer-canvas-holder" />;
}
