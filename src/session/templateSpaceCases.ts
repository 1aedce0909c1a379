// Cases conformed in template space (the reference registers every scan): their registrations, and maps brought back to each scan's grid.
import type { ConformInput } from '../core/conform/index.ts';
import { registerToTemplate, resampleThrough, scanInTemplateSpace, type TemplateRegistration } from '../core/registration/index.ts';
import type { Volume } from '../core/volume.ts';
import type { CaseSpec } from '../analysis/caseSpec.ts';
import type { RegistrationServices } from './skullStrip.ts';
import { workerError } from './sessionErrors.ts';

/** Per case: the transform and the scan grid a template-space map goes back to. */
interface RegisteredCase {
  scanToTemplate: number[];
  scanGrid: Pick<Volume, 'dims' | 'affine' | 'spacing'>;
}

/**
 * Registrations of the session's template-space cases. A registration is kept per image and mask file (they take
 * seconds), so changing a case's split or modality conforms it again without registering it again.
 */
export class TemplateSpaceCases {
  private readonly registrations = new Map<string, Promise<TemplateRegistration>>();
  private readonly cases = new Map<string, RegisteredCase>();

  /** The conform input of `spec` in template space (registering its image first), remembered for the way back. */
  async conformInput(spec: CaseSpec, input: ConformInput, services: RegistrationServices | undefined): Promise<ConformInput> {
    if (!services) throw workerError('unavailable', input.fileName, 'registration is not available in this environment (no elastix pipeline); conform it without registration.');
    const templates = await services.loadTemplates();
    const key = `${spec.imageFileId}|${spec.brainMaskFileId ?? ''}`;
    let registration = this.registrations.get(key);
    if (!registration) {
      registration = registerToTemplate(input.image, input.fileName, templates, services.runElastix, { brainMask: input.brainMask });
      this.registrations.set(key, registration);
      registration.catch(() => this.registrations.delete(key));
    }
    const found = await registration;
    const { dims, affine, spacing } = input.image;
    this.cases.set(spec.caseId, { scanToTemplate: found.scanToTemplate, scanGrid: { dims, affine, spacing } });
    return scanInTemplateSpace(input, found, templates).input;
  }

  /** Forgets a case (it was removed or is conformed on its own grid now). */
  forget(caseId: string): void {
    this.cases.delete(caseId);
  }

  /** Drops the registrations that used a file (it was unloaded). */
  forgetFile(fileId: string): void {
    for (const key of [...this.registrations.keys()]) if (key.split('|').includes(fileId)) this.registrations.delete(key);
  }

  /**
   * A map already brought back from the conformed grid to the conform input's grid, taken on to the scan's own grid:
   * the same volume for a case conformed on its own grid, else resampled from template space through the registration.
   */
  toScanGrid(caseId: string, onConformInput: Volume, interpolation: 'linear' | 'nearest'): Volume {
    const registered = this.cases.get(caseId);
    if (!registered) return onConformInput;
    const { dims, affine, spacing } = registered.scanGrid;
    const onScan = resampleThrough(onConformInput, { dims, affine }, registered.scanToTemplate, interpolation);
    return { ...onScan, spacing };
  }
}
