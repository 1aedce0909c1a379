// The "register and skull-strip" action: the worker registers a case's image to the template; its warped brain mask joins the case.
import { registeredMaskName } from '../../../workers/api.ts';
import { downloadBytes } from '../export/download.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useRegistrationStore } from '../stores/registrationStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';
import { editCase } from './dataActions.ts';

/** The .nii.gz bytes of each registered mask by case, kept here (not in a store) for "save brain mask". */
const maskBytes = new Map<string, Uint8Array>();

/** The mask a registration made for a case, as .nii.gz bytes, or null. */
export function registeredMaskBytes(caseId: string): Uint8Array | null {
  return maskBytes.get(caseId) ?? null;
}

/** Saves the brain mask a registration made for a case (on the scan's own grid) as a .nii.gz download. */
export function saveRegisteredMask(caseId: string): void {
  const bytes = maskBytes.get(caseId);
  const outcome = useRegistrationStore.getState().outcomes[caseId];
  if (bytes && outcome) downloadBytes(outcome.maskFileName, bytes, 'application/gzip');
}

/**
 * Registers the case's image to the shipped MNI template, loads the warped template brain mask as a new file, makes
 * it the case's brain mask (the case is conformed again) and shows it outlined on the scan as loaded, skull and
 * all, for a visual check.
 */
export async function registerAndSkullStrip(caseId: string): Promise<void> {
  const { cases, files } = useDataStore.getState();
  const entry = cases.find((c) => c.spec.caseId === caseId);
  const image = files.find((f) => f.fileId === entry?.spec.imageFileId);
  if (!entry || !image) return;
  const registration = useRegistrationStore.getState();
  if (registration.running[caseId]) return;
  const maskName = registeredMaskName(image.fileName);
  if (files.some((f) => f.fileName === maskName)) {
    useErrorStore.getState().report(maskName, 'is already loaded; remove it first to register this image again.');
    return;
  }
  registration.setRunning(caseId, { stage: 'preparing', done: 0, total: 2 });
  try {
    const result = await workbenchWorker().registerAndSkullStrip(image.fileId, (progress) => useRegistrationStore.getState().setRunning(caseId, progress));
    maskBytes.set(caseId, result.bytes);
    useDataStore.getState().addLoaded({ fileId: result.mask.fileId, fileName: result.mask.fileName, info: result.mask, role: 'brain-mask' });
    useRegistrationStore.getState().setOutcome(caseId, {
      template: result.template,
      templateReason: result.templateReason,
      seconds: result.seconds,
      maskFileName: result.mask.fileName,
    });
    editCase(caseId, { brainMaskFileId: result.mask.fileId });
    const viewer = useViewerStore.getState();
    viewer.setCaseId(caseId);
    viewer.setShowBrainMask(true);
    viewer.setShowNativeCheck(true);
  } catch (error) {
    const { fileName, message } = toUserError(error, image.fileName);
    useErrorStore.getState().report(fileName, message);
  } finally {
    useRegistrationStore.getState().setRunning(caseId, null);
  }
}
