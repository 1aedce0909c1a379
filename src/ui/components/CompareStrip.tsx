// The compare strip under the viewer: scan | reconstruction | quality map of the viewer's axial slice, drawn on small 2D
// canvases (cheap where WebGL is software) with the overlay's colormap and window, and one line on how to read them.
import { useEffect, useRef, useState } from 'react';
import { cmapper, type NVImage } from '@niivue/niivue';
import { airTransform, layerDependencyKey, layerRequest, type EvaluationResult, type LayerRequest, type MapLayer } from '../../../workers/api.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { graySlice, mapOverSlice, type SliceSource } from '../viewer/compareSlice.ts';
import { brainMaskOf, layerToImage, rewindowMap, windowIsStale, writeMapVoxels } from '../viewer/layerLoader.ts';
import { LAYER_NAMES } from '../viewer/layerStyles.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

/** Shown width of each panel in CSS pixels (the 96 x 96 slice scaled up). */
const PANEL_PIXELS = 160;
/** Strip volumes kept for going back to a case: three cases' worth. */
const VOLUMES_KEPT = 9;

interface StripVolume {
  caseVersion: string;
  key: string;
  image: NVImage;
}

/** The strip's own volumes by (case, layer), least recently used first; separate from the viewer's WebGL volumes. */
const stripVolumes = new Map<string, StripVolume>();

/** A reconstruction made in the model's AIR space (brain inverted), turned back into the scan's contrast. */
const inScanContrast = new WeakMap<NVImage, Float32Array>();

function slotOf(caseId: string, layer: MapLayer): string {
  return JSON.stringify([caseId, layer]);
}

function keepVolume(slot: string, entry: StripVolume): void {
  stripVolumes.delete(slot);
  stripVolumes.set(slot, entry);
  for (const oldest of stripVolumes.keys()) {
    if (stripVolumes.size <= VOLUMES_KEPT) break;
    stripVolumes.delete(oldest);
  }
}

function sourceOf(image: NVImage | undefined, data: ArrayLike<number> | undefined = image?.img ?? undefined): SliceSource | null {
  const dims = image?.hdr?.dims;
  if (!data || !dims) return null;
  return { data, dims: [dims[1], dims[2], dims[3]] };
}

function paint(canvas: HTMLCanvasElement | null, pixels: Uint8ClampedArray<ArrayBuffer>, width: number, height: number): void {
  const context = canvas?.getContext('2d');
  if (!canvas || !context) return;
  canvas.width = width;
  canvas.height = height;
  context.putImageData(new ImageData(pixels, width, height), 0, 0);
}

export interface CompareStripProps {
  caseId: string;
  /** The quality map of the third panel (the overlay when it is one, else the scored map). */
  mapLayer: MapLayer;
  /** Changes whenever the case was conformed again (as the viewer's). */
  caseVersion: string;
  scored: Pick<EvaluationResult, 'key' | 'threshold'>;
}

export function CompareStrip({ caseId, mapLayer, caseVersion, scored }: CompareStripProps) {
  const slice = useViewerStore((s) => s.readout?.voxel[2] ?? null);
  const mapStyle = useViewerStore((s) => s.styles[mapLayer]);
  const viewedCase = useAnalysisStore((s) => s.viewedCase);
  // The model saw the scan with AIR applied, and reconstructed it so: the strip undoes that on the reconstruction.
  const airApplied = useModelStore((s) => s.model?.modelId === scored.key.modelId && s.model.airApplied);
  const [loaded, setLoaded] = useState(0);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([null, null, null]);

  const layers: MapLayer[] = ['image', 'reconstruction', mapLayer];
  const requests = layers.map((layer) => layerRequest(caseId, layer, scored)).filter((r): r is LayerRequest => r !== null);
  const requestsJson = JSON.stringify(requests);

  // Loads the three volumes (or reuses kept ones); a newer request supersedes an older one.
  useEffect(() => {
    let superseded = false;
    void (async () => {
      for (const request of JSON.parse(requestsJson) as LayerRequest[]) {
        const slot = slotOf(request.caseId, request.layer);
        const key = layerDependencyKey(request);
        const kept = stripVolumes.get(slot);
        if (kept?.caseVersion === caseVersion && kept.key === key) {
          if (windowIsStale(kept.image, request.layer)) await rewindowMap(kept.image, request.caseId, request.layer);
          keepVolume(slot, kept);
          continue;
        }
        try {
          const file = await workbenchWorker().getLayer(request);
          if (superseded) return;
          const image = await layerToImage(file, useViewerStore.getState().styles[request.layer]);
          const mask = request.layer === 'reconstruction' ? await brainMaskOf(request.caseId) : undefined;
          if (superseded) return;
          if (mask && image.img instanceof Float32Array) inScanContrast.set(image, airTransform(image.img, mask));
          keepVolume(slot, { caseVersion, key, image });
        } catch (error) {
          if (superseded) return;
          useErrorStore.getState().report(request.caseId, `could not show the ${LAYER_NAMES[request.layer]} in the compare strip: ${toUserError(error).message}`);
          return;
        }
      }
      if (!superseded) setLoaded((n) => n + 1);
    })();
    return () => {
      superseded = true;
    };
  }, [requestsJson, caseVersion]);

  // The viewed case's new FQ map (sent with the score reply) goes into the strip's FQ volume in place, as in the
  // viewer: an alpha move costs no layer request.
  useEffect(() => {
    if (!viewedCase || viewedCase.key.score !== 'fq' || viewedCase.metrics.caseId !== caseId) return;
    const slot = slotOf(caseId, 'fq');
    const key = layerDependencyKey({ caseId, layer: 'fq', ...viewedCase.key, threshold: null });
    let moot = false;
    void brainMaskOf(caseId).then(
      (mask) => {
        const entry = stripVolumes.get(slot);
        if (moot || !mask || !entry || entry.caseVersion !== caseVersion || entry.key === key) return;
        if (!writeMapVoxels(entry.image, caseId, 'fq', viewedCase.map, mask)) return;
        stripVolumes.set(slot, { ...entry, key });
        setLoaded((n) => n + 1);
      },
      () => undefined, // the study's evaluation loads the FQ layer instead
    );
    return () => {
      moot = true;
    };
  }, [viewedCase, caseId, caseVersion]);

  // Draws the viewer's slice (the middle one until the viewer reports its crosshair).
  useEffect(() => {
    const volumeOf = (layer: MapLayer) => {
      const entry = stripVolumes.get(slotOf(caseId, layer));
      return entry?.caseVersion === caseVersion ? entry.image : undefined;
    };
    const scan = volumeOf('image');
    const recon = volumeOf('reconstruction');
    const map = volumeOf(mapLayer);
    const reconData = recon && airApplied ? inScanContrast.get(recon) : recon?.img;
    const [scanSource, reconSource, mapSource] = [sourceOf(scan), sourceOf(recon, reconData ?? undefined), sourceOf(map)];
    if (!scan || !scanSource) return;
    const [nx, ny, nz] = scanSource.dims;
    const k = slice ?? Math.floor(nz / 2);
    // Scan and reconstruction on the scan's window, so their differences show as they are.
    const window = { min: scan.cal_min ?? 0, max: scan.cal_max ?? 1 };
    const base = graySlice(scanSource, k, window);
    paint(canvases.current[0], base, nx, ny);
    if (reconSource) paint(canvases.current[1], graySlice(reconSource, k, window), nx, ny);
    if (map && mapSource) {
      const mapWindow = { min: map.cal_min ?? 0, max: map.cal_max ?? 1 };
      paint(canvases.current[2], mapOverSlice(base, mapSource, k, mapWindow, cmapper.colormap(mapStyle.colormap), mapStyle.opacity), nx, ny);
    }
  }, [loaded, slice, caseId, caseVersion, mapLayer, mapStyle, airApplied]);

  const titles = ['scan', airApplied ? 'reconstruction (AIR undone)' : 'reconstruction', LAYER_NAMES[mapLayer]];
  return (
    <figure className="compare-strip" data-testid="compare-strip" data-slice={slice ?? ''} aria-label="Scan, reconstruction and map of the viewer's slice">
      <div className="compare-strip-panels">
        {titles.map((title, index) => (
          <div key={title} className="compare-strip-panel">
            <canvas
              ref={(canvas) => {
                canvases.current[index] = canvas;
              }}
              data-testid={`compare-strip-${['scan', 'reconstruction', 'map'][index]}`}
              style={{ width: PANEL_PIXELS, height: PANEL_PIXELS }}
              aria-label={title}
            />
            <span>{title}</span>
          </div>
        ))}
      </div>
      <figcaption data-testid="compare-strip-note">
        {slice === null ? 'Middle axial slice' : `Axial slice ${slice + 1}, the viewer's`}. A small model's reconstruction is blurry and mottled: rough
        anatomy kept, fine detail and the anomaly lost; the map scores every difference, so lost detail scores too, not only the anomaly.
      </figcaption>
    </figure>
  );
}
