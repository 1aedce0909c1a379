// The layers of a case the viewer shows and the CLI exports, and the request that names everything a derived layer depends on.
import type { ThresholdSource } from '../core/metrics/index.ts';
import type { AlphaSource } from './alphaChoice.ts';
import { alphaMatters, structuralTermOf, type MapKey } from './keys.ts';

/** Layers that come with a case (no model needed). */
export const CASE_LAYERS = ['image', 'brain-mask', 'segmentation'] as const;
export type CaseLayer = (typeof CASE_LAYERS)[number];
/** Layers derived from a reconstruction. */
export const DERIVED_LAYERS = ['reconstruction', 'ssim-loss', 'l1', 'fq', 'prediction'] as const;
export type DerivedLayer = (typeof DERIVED_LAYERS)[number];
/** Layers the viewer can show for a case; all on the conformed 96x96x50 grid. */
export type MapLayer = CaseLayer | DerivedLayer;

/** Layers that are labels (exported as uint8, resampled nearest). */
export const LABEL_LAYERS: ReadonlySet<MapLayer> = new Set<MapLayer>(['brain-mask', 'segmentation', 'prediction']);

/** Whether a layer comes with the case itself rather than from a reconstruction. */
export function isCaseLayer(layer: MapLayer): layer is CaseLayer {
  return (CASE_LAYERS as readonly string[]).includes(layer);
}

/**
 * One layer of one case. A derived layer names everything it depends on: 'reconstruction', 'ssim-loss' and 'l1' the
 * reconstructions (model, noise level, seed); 'fq' also alpha and the structural term; 'prediction' also the score kind and the threshold
 * (a score result's `threshold.value`; null when it had none).
 */
export type LayerRequest = { caseId: string; layer: CaseLayer } | DerivedLayerRequest;
export type DerivedLayerRequest = MapKey & {
  caseId: string;
  layer: DerivedLayer;
  threshold: number | null;
  /** Where the threshold came from: only recorded in an export's provenance, never changes the voxels. */
  thresholdSource?: ThresholdSource;
  /** Where alpha came from (the key holds its value): only recorded in an export's provenance. */
  alphaSource?: AlphaSource;
};

/** What a score result says about the maps it scored: their key, where its alpha came from and the threshold it chose. */
export interface ScoredMaps {
  key: MapKey;
  alphaChoice?: { source: AlphaSource };
  threshold: { value: number | null; source?: ThresholdSource };
}

/** The request for a layer of a case; derived layers name a score result's key and threshold (null without one). */
export function layerRequest(caseId: string, layer: MapLayer, scored: ScoredMaps | null): LayerRequest | null {
  if (isCaseLayer(layer)) return { caseId, layer };
  if (!scored) return null;
  const { value, source } = scored.threshold;
  const alphaSource = scored.alphaChoice?.source;
  return {
    caseId,
    layer,
    ...scored.key,
    threshold: value,
    ...(source === undefined ? {} : { thresholdSource: source }),
    ...(alphaSource === undefined ? {} : { alphaSource }),
  };
}

/**
 * The fields of a request that a layer's voxels depend on, as a string: equal strings mean equal voxels (for one
 * definition of the case), so a viewer can keep a layer until its string changes.
 */
export function layerDependencyKey(request: LayerRequest): string {
  const { caseId, layer } = request;
  if (isCaseLayer(layer)) return JSON.stringify([caseId, layer]);
  const r = request as DerivedLayerRequest;
  const reconstructions = [r.modelId, r.noiseLevel, r.seed];
  // The structural term is named only when it is not the paper's SSIM, so SSIM keys read as they always did.
  const structural = (term: string | null) => (term === null || term === 'ssim' ? [] : [term]);
  if (layer === 'fq') return JSON.stringify([caseId, layer, ...reconstructions, r.alpha, ...structural(structuralTermOf({ ...r, score: 'fq' }))]);
  if (layer === 'prediction') {
    return JSON.stringify([caseId, layer, ...reconstructions, r.score, alphaMatters(r.score) ? r.alpha : null, r.threshold, ...structural(structuralTermOf(r))]);
  }
  return JSON.stringify([caseId, layer, ...reconstructions]);
}
