// After inference the viewer shows a result: the first test case with a lesion, its FQ map, at its largest lesion slice.
import { readNifti } from '../../core/nifti/index.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { largestLesionSlice } from '../viewer/lesionFocus.ts';
import { moveCrosshairToVoxel } from '../viewer/viewerHandle.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

/** Shows the first scored test case with lesions (FQ overlay, ground truth, largest lesion slice); nothing when none. */
export async function jumpToFirstLesion(): Promise<void> {
  const evaluation = useAnalysisStore.getState().evaluation;
  if (!evaluation) return;
  const scored = new Set(evaluation.cases.map((c) => c.caseId));
  const target = useDataStore
    .getState()
    .cases.find((c) => c.status === 'ready' && c.spec.split === 'test' && scored.has(c.spec.caseId) && (c.info?.anomalousVoxels ?? 0) > 0);
  if (!target) return;
  const caseId = target.spec.caseId;
  const viewer = useViewerStore.getState();
  viewer.setCaseId(caseId);
  viewer.setMapOverlay('fq');
  viewer.setShowGroundTruth(true);
  try {
    const layer = await workbenchWorker().getLayer({ caseId, layer: 'segmentation' });
    const { volume } = readNifti(layer.bytes, layer.fileName);
    const focus = largestLesionSlice(volume.data, volume.dims);
    if (focus) moveCrosshairToVoxel(focus.voxel);
  } catch {
    // The case is on screen already; staying on the current slice is harmless.
  }
}
