// The AIR switch of the Model panel (SPEC 2): per-modality rule, statistics rule or by hand, with the numbers behind each.
import { useMemo } from 'react';
import {
  AIR_BY_MODALITY,
  AIR_STATS_THRESHOLD,
  AIR_STATS_WARNING_MARGIN,
  airStatsMargin,
  pooledAirStatistics,
  type AirMode,
  type AirStatistics,
} from '../../core/air.ts';
import type { Modality } from '../../core/modality.ts';
import type { CaseInfo } from '../../../workers/api.ts';
import { useDataStore } from '../stores/dataStore.ts';

/** What each AIR mode would decide for the session's cases. */
interface AirFacts {
  /** Distinct modalities of the conformed healthy-train cases. */
  trainModalities: Modality[];
  /** The per-modality rule's decision, or null when there is no training case or the modalities disagree. */
  byModality: boolean | null;
  /** muNormal and the suggestion over the healthy-train cases (null without one). */
  training: AirStatistics | null;
  /** muAnomalous over every case with labelled anomalies (null without one). */
  muAnomalous: number | null;
}

const part = (info: CaseInfo) => ({
  muNormal: info.muNormal,
  normalVoxels: info.brainVoxels - info.anomalousVoxels,
  muAnomalous: info.muAnomalous,
  anomalousVoxels: info.anomalousVoxels,
});

/** The session's AIR facts, pooled as the worker pools them when training starts (src/session/trainingRun.ts). */
function useAirFacts(): AirFacts {
  const cases = useDataStore((s) => s.cases);
  return useMemo(() => {
    const infos = cases.flatMap((c) => (c.info ? [c.info] : []));
    const train = infos.filter((info) => info.split === 'healthy-train');
    const trainModalities = [...new Set(train.map((info) => info.modality))];
    const decisions = new Set(trainModalities.map((m) => AIR_BY_MODALITY[m]));
    const lesions = infos.filter((info) => info.anomalousVoxels > 0);
    return {
      trainModalities,
      byModality: decisions.size === 1 ? [...decisions][0] : null,
      training: train.length > 0 ? pooledAirStatistics(train.map(part)) : null,
      muAnomalous: lesions.length > 0 ? pooledAirStatistics(lesions.map(part)).muAnomalous : null,
    };
  }, [cases]);
}

const onOff = (on: boolean): string => (on ? 'on' : 'off');

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
}

/** "μ = 0.532 (+0.032 from 0.5)". */
function withMargin(name: string, mu: number): string {
  return `${name} = ${mu.toFixed(3)} (${signed(airStatsMargin(mu).margin)} from ${AIR_STATS_THRESHOLD})`;
}

function modalityLine(facts: AirFacts): string {
  const rule = 'on for T1, T1CE and FLAIR, off for T2 and PD';
  if (facts.trainModalities.length === 0) return `AIR by modality (${rule}): decided once a healthy-train case is conformed.`;
  if (facts.byModality === null) {
    return `AIR by modality (${rule}): the training cases mix ${facts.trainModalities.join(' and ')}, which the rule treats differently; training would stop. Use one modality, or choose another AIR setting.`;
  }
  return `AIR by modality (${rule}): training cases are ${facts.trainModalities.join(', ')} → ${onOff(facts.byModality)}.`;
}

/** The AIR select of the Model panel's form, each rule labelled with what it would decide. */
export function AirSelect({ mode, onChange }: { mode: AirMode; onChange: (mode: AirMode) => void }) {
  const facts = useAirFacts();
  return (
    <label>
      AIR
      <select data-testid="air-select" value={mode} onChange={(e) => onChange(e.target.value as AirMode)}>
        <option value="modality">by modality{facts.byModality === null ? '' : ` (${onOff(facts.byModality)})`}</option>
        <option value="stats">from statistics{facts.training ? ` (${onOff(facts.training.suggested)})` : ''}</option>
        <option value="on">on</option>
        <option value="off">off</option>
      </select>
    </label>
  );
}

/**
 * What the chosen AIR mode decides and on what: the modality rule's reading, or the statistics μn (training cases)
 * and μa (cases with labelled anomalies) with their margins to 0.5, warning when μn is within 0.05 of it.
 */
export function AirSummary({ mode }: { mode: AirMode }) {
  const facts = useAirFacts();
  const { training } = facts;
  const statistics = training
    ? `${withMargin('μn', training.muNormal)} over the healthy-train cases` +
      (facts.muAnomalous === null ? '; μa needs a case with a segmentation' : `, ${withMargin('μa', facts.muAnomalous)} over the lesion cases`)
    : 'μn appears once a healthy-train case is conformed';
  const decision =
    mode === 'modality'
      ? modalityLine(facts)
      : mode === 'stats'
        ? `AIR from statistics: ${training ? `inverts when μn > ${AIR_STATS_THRESHOLD} → ${onOff(training.suggested)}` : 'decided once a healthy-train case is conformed'}.`
        : `AIR set by hand: ${mode}.`;
  const near = mode === 'stats' && training !== null && airStatsMargin(training.muNormal).nearThreshold;
  return (
    <>
      <p className="hint" data-testid="air-stats">
        {decision} Statistics: {statistics}.
      </p>
      {near && (
        <p className="hint warn" data-testid="air-warning">
          μn is within {AIR_STATS_WARNING_MARGIN} of {AIR_STATS_THRESHOLD}: a few more or other cases could flip the statistics rule. Prefer the
          per-modality rule, or set AIR on or off by hand.
        </p>
      )}
    </>
  );
}
