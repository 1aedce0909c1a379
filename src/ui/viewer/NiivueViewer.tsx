// React binding of NiiVue: creates its canvas in an effect, resizes with a ResizeObserver, releases the WebGL context on unmount.
import { useEffect, useRef, useState } from 'react';
import { MULTIPLANAR_TYPE, Niivue, SHOW_RENDER, SLICE_TYPE, type NVImage, type NiiVueLocation } from '@niivue/niivue';
import { layerDependencyKey, layerRequest, type EvaluationResult, type LayerRequest, type MapLayer } from '../../../workers/api.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useViewerStore, type ViewLayout } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { applyOutlineLabel, layerToImage } from './layerLoader.ts';
import { LAYER_NAMES, layerFromVolumeName, OUTLINE_LAYERS } from './layerStyles.ts';
import { registerViewer } from './viewerHandle.ts';

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

interface CachedLayer {
  key: string;
  image: NVImage;
}

function sliceTypeOf(layout: ViewLayout): SLICE_TYPE {
  return layout === 'axial' ? SLICE_TYPE.AXIAL : SLICE_TYPE.MULTIPLANAR;
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
  const cache = useRef(new Map<MapLayer, CachedLayer>());
  const layout = useViewerStore((s) => s.layout);
  const styles = useViewerStore((s) => s.styles);
  const showCrosshair = useViewerStore((s) => s.showCrosshair);

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
        setReady((n) => n + 1);
      },
      (error: unknown) => {
        if (!disposed) useErrorStore.getState().report('', `The viewer could not start WebGL2: ${toUserError(error).message}. Enable hardware acceleration in the browser settings.`);
      },
    );
    const layerCache = cache.current;
    return () => {
      disposed = true;
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
  // reloaded only when what it depends on changed (an alpha move leaves the reconstruction, l1 and SSIM layers alone).
  const requests = caseId === null ? [] : layers.map((layer) => layerRequest(caseId, layer, scored)).filter((r): r is LayerRequest => r !== null);
  const requestsJson = JSON.stringify(requests);
  useEffect(() => {
    const nv = nvRef.current;
    if (!nv) return;
    let superseded = false;
    const wanted = JSON.parse(requestsJson) as LayerRequest[];
    void (async () => {
      const images: NVImage[] = [];
      for (const request of wanted) {
        const { caseId: shownCase, layer } = request;
        const key = `${caseVersion}|${layerDependencyKey(request)}`;
        const cached = cache.current.get(layer);
        if (cached?.key === key) {
          images.push(cached.image);
          continue;
        }
        try {
          const file = await workbenchWorker().getLayer(request);
          if (superseded) return;
          const image = await layerToImage(file, useViewerStore.getState().styles[layer]);
          if (superseded) return;
          cache.current.set(layer, { key, image });
          images.push(image);
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
      nv.updateGLVolume();
      // The crosshair readout lists every shown layer: refresh it for the layers just loaded, not only on the next click.
      if (images.length > 0) nv.createOnLocationChange();
    })();
    return () => {
      superseded = true;
    };
  }, [ready, requestsJson, caseVersion]);

  // Colormap and opacity changes apply to the loaded images without reloading them.
  useEffect(() => {
    const nv = nvRef.current;
    if (!nv) return;
    nv.volumes.forEach((image, index) => {
      const layer = layerFromVolumeName(image.name);
      if (!layer) return;
      const style = styles[layer];
      const outlineLabel = OUTLINE_LAYERS[layer];
      if (outlineLabel) applyOutlineLabel(image, style.colormap, outlineLabel);
      else if (image.colormap !== style.colormap) nv.setColormap(image.id, style.colormap);
      if (image.opacity !== style.opacity) nv.setOpacity(index, style.opacity);
    });
    nv.updateGLVolume();
  }, [ready, styles]);

  return <div ref={containerRef} className="viewer-canvas-holder" />;
}
