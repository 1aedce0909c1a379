// Two compared models' score maps on the same case and axial slice, side by side, in one colormap and one window (issue 13: overlays of two methods side by side).
import { useEffect, useRef, useState } from 'react';
import { readNifti } from '../../core/nifti/index.ts';
import type { Dims3 } from '../../core/volume.ts';
import type { MapLayer } from '../../../workers/api.ts';
import { scoreMapLayer } from '../comparisonTable.ts';
import type { ComparisonEntry } from '../stores/comparisonStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { largestLesionSlice } from '../viewer/lesionFocus.ts';
import { quantileInMask, WINDOW_PERCENTILE } from '../viewer/mapWindow.ts';
import { mapColormapLut, renderSlice, type DisplayWindow } from '../viewer/sliceRender.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

/** The comparison reconstructs every case at seed 0 first: the maps shown are that seed's. */
const SHOWN_SEED = 0;
/** On-screen size of one voxel (the conformed grid is 2 mm). */
const PIXELS_PER_VOXEL = 3;
const MAP_LUT = mapColormapLut();

interface CaseVolumes {
  caseId: string;
  /** The models whose maps these are (the selection may have moved on while they load). */
  leftModelId: string;
  rightModelId: string;
  dims: Dims3;
  image: Float32Array;
  seg: Float32Array | null;
  left: Float32Array;
  right: Float32Array;
  windows: { image: DisplayWindow; map: DisplayWindow };
}

async function layerData(request: Parameters<ReturnType<typeof workbenchWorker>['getLayer']>[0]): Promise<{ data: Float32Array; dims: Dims3 }> {
  const file = await workbenchWorker().getLayer(request);
  const { volume } = readNifti(file.bytes, file.fileName);
  return { data: Float32Array.from(volume.data), dims: volume.dims };
}

function mapRequest(entry: ComparisonEntry, caseId: string) {
  const layer: MapLayer = scoreMapLayer(entry.score);
  return { caseId, layer, modelId: entry.modelId, noiseLevel: entry.noiseLevel, seed: SHOWN_SEED, score: entry.score, alpha: entry.alpha, threshold: null } as const;
}

/** The case's scan, labels and both maps, with one window for both maps (the higher of their in-brain percentiles). */
async function loadVolumes(caseId: string, hasSeg: boolean, left: ComparisonEntry, right: ComparisonEntry): Promise<CaseVolumes> {
  const image = await layerData({ caseId, layer: 'image' });
  const mask = await layerData({ caseId, layer: 'brain-mask' });
  const seg = hasSeg ? (await layerData({ caseId, layer: 'segmentation' })).data : null;
  const leftMap = (await layerData(mapRequest(left, caseId))).data;
  const rightMap = (await layerData(mapRequest(right, caseId))).data;
  const top = Math.max(quantileInMask(leftMap, mask.data, WINDOW_PERCENTILE), quantileInMask(rightMap, mask.data, WINDOW_PERCENTILE));
  const imageTop = quantileInMask(image.data, mask.data, 0.995);
  return { caseId, leftModelId: left.modelId, rightModelId: right.modelId, dims: image.dims, image: image.data, seg, left: leftMap, right: rightMap, windows: { image: { min: 0, max: imageTop > 0 ? imageTop : 1 }, map: { min: 0, max: top > 0 ? top : 1 } } };
}

function SliceCanvas({ volumes, side, slice, label, testId }: { volumes: CaseVolumes; side: 'left' | 'right'; slice: number; label: string; testId: string }) {
  const map = side === 'left' ? volumes.left : volumes.right;
  const ref = useRef<HTMLCanvasElement>(null);
  const [nx, ny] = volumes.dims;
  useEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return;
    const pixels = renderSlice({ dims: volumes.dims, image: volumes.image, map, seg: volumes.seg }, slice, volumes.windows, MAP_LUT);
    context.putImageData(new ImageData(pixels, nx, ny), 0, 0);
  }, [volumes, map, slice, nx, ny]);
  return (
    <figure className="side-by-side-map">
      <canvas ref={ref} width={nx} height={ny} data-testid={testId} data-case-id={volumes.caseId} data-slice={slice} data-model-id={side === 'left' ? volumes.leftModelId : volumes.rightModelId} style={{ width: nx * PIXELS_PER_VOXEL, height: ny * PIXELS_PER_VOXEL, imageRendering: 'pixelated' }} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function EntrySelect({ value, entries, labelOf, onChange, testId, name }: { value: string; entries: ComparisonEntry[]; labelOf: (e: ComparisonEntry) => string; onChange: (id: string) => void; testId: string; name: string }) {
  return (
    <label className="inline">
      {name}
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
        {entries.map((e) => (
          <option key={e.modelId} value={e.modelId}>
            {labelOf(e)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Side by side: two scored rows of the comparison on one case and slice (one slider moves both). */
export function SideBySideMaps({ entries, labelOf }: { entries: ComparisonEntry[]; labelOf: (entry: ComparisonEntry) => string }) {
  const scored = entries.filter((e) => e.result !== null);
  const cases = useDataStore((s) => s.cases).filter((c) => c.status === 'ready' && c.spec.split !== 'healthy-train');
  const viewedCaseId = useViewerStore((s) => s.caseId);
  const [leftId, setLeftId] = useState('');
  const [rightId, setRightId] = useState('');
  const [chosenCaseId, setCaseId] = useState('');
  const [slice, setSlice] = useState<number | null>(null);
  const [volumes, setVolumes] = useState<CaseVolumes | null>(null);
  const [failure, setFailure] = useState('');
  const left = scored.find((e) => e.modelId === leftId) ?? scored[0];
  const right = scored.find((e) => e.modelId === rightId) ?? scored.find((e) => e !== left);
  const caseEntry = cases.find((c) => c.spec.caseId === chosenCaseId) ?? cases.find((c) => c.spec.caseId === viewedCaseId) ?? cases[0];
  const caseId = caseEntry?.spec.caseId ?? '';
  const hasSeg = caseEntry?.spec.segFileId !== undefined;
  const leftKey = left ? JSON.stringify([left.modelId, left.noiseLevel, left.score, left.alpha]) : '';
  const rightKey = right ? JSON.stringify([right.modelId, right.noiseLevel, right.score, right.alpha]) : '';

  useEffect(() => {
    if (!left || !right || caseId === '') return;
    let current = true;
    loadVolumes(caseId, hasSeg, left, right).then(
      (loaded) => {
        if (!current) return;
        setFailure('');
        setVolumes(loaded);
        // A new case starts at its largest lesion slice (else the middle); the slider keeps the slice across model changes.
        setSlice((s) => s ?? (loaded.seg ? largestLesionSlice(loaded.seg, loaded.dims)?.voxel[2] : undefined) ?? Math.floor(loaded.dims[2] / 2));
      },
      (error: unknown) => current && setFailure(toUserError(error).message),
    );
    return () => {
      current = false;
    };
    // The keys say everything the maps depend on (entry objects change with every store update).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [caseId, hasSeg, leftKey, rightKey]);

  if (scored.length < 2 || !left || !right) return <p className="hint">Run the comparison with at least two models to see their maps side by side.</p>;
  const nz = volumes?.dims[2] ?? 1;
  const shownSlice = Math.min(slice ?? 0, nz - 1);
  const settingsOf = (e: ComparisonEntry) =>
    e.info.method === 'thresh' ? `${labelOf(e)}: the scan itself as the map` : `${labelOf(e)}: ${scoreMapLayer(e.score)} map${e.score === 'fq' ? ` α=${e.alpha}` : ''}, noise level ${e.noiseLevel}`;

  return (
    <div className="side-by-side stack" data-testid="side-by-side">
      <div className="button-row">
        <EntrySelect name="left" testId="side-by-side-left-select" value={left.modelId} entries={scored} labelOf={labelOf} onChange={setLeftId} />
        <EntrySelect name="right" testId="side-by-side-right-select" value={right.modelId} entries={scored} labelOf={labelOf} onChange={setRightId} />
        <label className="inline">
          case
          <select
            data-testid="side-by-side-case"
            value={caseId}
            onChange={(e) => {
              setCaseId(e.target.value);
              setSlice(null);
              setVolumes(null);
            }}
          >
            {cases.map((c) => (
              <option key={c.spec.caseId} value={c.spec.caseId}>
                {c.spec.caseId} ({c.spec.split})
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          axial slice {shownSlice}
          <input type="range" data-testid="side-by-side-slice" min={0} max={nz - 1} step={1} value={shownSlice} onChange={(e) => setSlice(Number(e.target.value))} />
        </label>
      </div>
      {failure && <p className="hint warn">{failure}</p>}
      {volumes && slice !== null && (
        <div className="side-by-side-maps">
          <SliceCanvas volumes={volumes} side="left" slice={shownSlice} label={settingsOf(left)} testId="side-by-side-left" />
          <SliceCanvas volumes={volumes} side="right" slice={shownSlice} label={settingsOf(right)} testId="side-by-side-right" />
        </div>
      )}
      {volumes && (
        <p className="hint" data-testid="side-by-side-window">
          Seed {SHOWN_SEED}; both maps in the map colormap over one window, 0 to {volumes.windows.map.max.toPrecision(3)} (the higher of the two maps&apos; {Math.round(WINDOW_PERCENTILE * 100)}th
          percentiles inside the brain), so equal colours are equal scores; ground truth outlined in green.
        </p>
      )}
    </div>
  );
}
