// The big viewer: case and layout pickers, the overlay choice, the NiiVue canvas, layer controls and the crosshair readout.
import type { MapLayer } from '../../../workers/api.ts';
import { useDemoStore } from '../stores/demoStore.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useRegistrationStore } from '../stores/registrationStore.ts';
import { useViewerStore, visibleLayers, type MapOverlay } from '../stores/viewerStore.ts';
import { LAYER_NAMES, QUALITY_MAP_LAYERS, SCORE_MAP_LAYERS } from '../viewer/layerStyles.ts';
import { NativeCheckViewer } from '../viewer/NativeCheckViewer.tsx';
import { NiivueViewer } from '../viewer/NiivueViewer.tsx';
import { CompareStrip } from './CompareStrip.tsx';
import { CrosshairReadout } from './CrosshairReadout.tsx';
import { LayerControls } from './LayerControls.tsx';
import { MapColorbar } from './MapColorbar.tsx';

const OVERLAYS: MapOverlay[] = ['none', 'fq', 'ssim-loss', 'l1', 'reconstruction'];
const MAP_LAYERS: MapLayer[] = ['reconstruction', 'ssim-loss', 'l1', 'fq', 'prediction'];

export function ViewerPane() {
  const cases = useDataStore((s) => s.cases);
  const evaluation = useAnalysisStore((s) => s.evaluation);
  const viewer = useViewerStore();
  const demoOpening = useDemoStore((s) => s.phase === 'running');
  const readyCases = cases.filter((c) => c.status === 'ready');
  const current = readyCases.find((c) => c.spec.caseId === viewer.caseId) ?? readyCases[0] ?? null;
  const caseId = current?.spec.caseId ?? null;

  const available = new Set<MapLayer>(['image', 'brain-mask']);
  if (current?.info?.hasSegmentation) available.add('segmentation');
  if (caseId !== null && evaluation?.cases.some((c) => c.caseId === caseId)) {
    MAP_LAYERS.filter((l) => l !== 'prediction' || evaluation.threshold.value !== null).forEach((l) => available.add(l));
  }
  const layers = visibleLayers(viewer, available);
  const files = useDataStore((s) => s.files);
  const outcome = useRegistrationStore((s) => (caseId === null ? undefined : s.outcomes[caseId]));
  // A case whose brain mask came from a registration can be checked on the scan as loaded.
  const maskFromRegistration = outcome !== undefined && files.some((f) => f.fileId === current?.spec.brainMaskFileId && f.fileName === outcome.maskFileName);
  const image = files.find((f) => f.fileId === current?.spec.imageFileId);
  const mapShown = viewer.mapOverlay !== 'none' && layers.includes(viewer.mapOverlay);
  const caseVersion = `${current?.definedAs ?? ''}#${viewer.layersVersion}`;
  const nativeCheck = maskFromRegistration && viewer.showNativeCheck;
  // The strip's map: the overlay when it is a quality map, else the map the study scored.
  const stripMap = QUALITY_MAP_LAYERS.includes(viewer.mapOverlay as MapLayer) ? (viewer.mapOverlay as MapLayer) : SCORE_MAP_LAYERS[evaluation?.key.score ?? 'fq'];

  return (
    <section className="viewer-pane" aria-label="Viewer">
      <div className="toolbar">
        <label className="inline">
          case
          <select data-testid="case-select" value={caseId ?? ''} disabled={readyCases.length === 0} onChange={(e) => viewer.setCaseId(e.target.value)}>
            {readyCases.length === 0 && <option value="">no case yet</option>}
            {readyCases.map((c) => (
              <option key={c.spec.caseId} value={c.spec.caseId}>
                {c.spec.caseId} ({c.spec.split})
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Layout">
          <button type="button" aria-pressed={viewer.layout === 'axial'} onClick={() => viewer.setLayout('axial')}>
            Axial
          </button>
          <button type="button" aria-pressed={viewer.layout === 'multiplanar'} onClick={() => viewer.setLayout('multiplanar')}>
            Multiplanar
          </button>
        </div>
        <label className="inline">
          overlay
          <select data-testid="overlay-select" value={viewer.mapOverlay} onChange={(e) => viewer.setMapOverlay(e.target.value as MapOverlay)}>
            {OVERLAYS.map((o) => (
              <option key={o} value={o} disabled={o !== 'none' && !available.has(o)}>
                {o === 'none' ? 'none' : LAYER_NAMES[o]}
              </option>
            ))}
          </select>
        </label>
        <label className="inline check">
          <input type="checkbox" data-testid="prediction-toggle" checked={viewer.showPrediction} disabled={!available.has('prediction')} onChange={(e) => viewer.setShowPrediction(e.target.checked)} />
          prediction
        </label>
        <label className="inline check">
          <input type="checkbox" checked={viewer.showGroundTruth} disabled={!available.has('segmentation')} onChange={(e) => viewer.setShowGroundTruth(e.target.checked)} />
          ground truth
        </label>
        <label className="inline check">
          <input type="checkbox" data-testid="brain-mask-toggle" checked={viewer.showBrainMask} onChange={(e) => viewer.setShowBrainMask(e.target.checked)} />
          brain mask
        </label>
        <label className="inline check">
          <input type="checkbox" data-testid="crosshair-toggle" checked={viewer.showCrosshair} onChange={(e) => viewer.setShowCrosshair(e.target.checked)} />
          crosshair
        </label>
        {maskFromRegistration && (
          <label className="inline check" title="The scan as loaded, on its own grid, with the brain mask the registration made: the visual check">
            <input type="checkbox" data-testid="native-check-toggle" checked={viewer.showNativeCheck} onChange={(e) => viewer.setShowNativeCheck(e.target.checked)} />
            scan as loaded
          </label>
        )}
      </div>
      <div className="viewer-stage">
        <div className="viewer-canvas-area">
          {nativeCheck && caseId !== null && image ? (
            <NativeCheckViewer caseId={caseId} imageFileId={image.fileId} fileName={image.fileName} />
          ) : (
            <NiivueViewer caseId={caseId} layers={layers} caseVersion={caseVersion} scored={evaluation} />
          )}
          {caseId === null && (
            <div className="viewer-empty">
              <p>{demoOpening ? 'Opening the demo…' : 'Drop scans (NIfTI, MHA, NRRD, MGZ or DICOM folders) anywhere on this page to start.'}</p>
              <p className="hint">Cases are shown conformed to 96 × 96 × 50, the grid the model and the metrics use.</p>
            </div>
          )}
        </div>
        {caseId !== null && <MapColorbar caseId={caseId} layer={mapShown ? (viewer.mapOverlay as MapLayer) : null} />}
      </div>
      {caseId !== null && evaluation && available.has('reconstruction') && !nativeCheck && (
        <CompareStrip caseId={caseId} mapLayer={stripMap} caseVersion={caseVersion} scored={evaluation} />
      )}
      <div className="viewer-footer">
        <LayerControls layers={layers.filter((l) => l !== 'image')} />
        <CrosshairReadout />
      </div>
    </section>
  );
}
