// Model panel: architecture preset, loss, AIR, noise, pDDPM vs DDPM, read-time smoothing; training controls, charts and checkpoints.
import { useMemo } from 'react';
import { UNET_PRESETS, unetForwardFlops, unetParameterCount, type LossKind, type NoiseType, type UNetPresetName } from '../../../workers/api.ts';
import { airLabel, smoothingLabel } from '../../core/provenance.ts';
import { setSmoothing } from '../actions/dataActions.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { AirSelect, AirSummary } from './AirControl.tsx';
import { CheckpointControls } from './CheckpointControls.tsx';
import { NumberField } from './NumberField.tsx';
import { TrainingControls } from './TrainingControls.tsx';

/** Smallest first: the order a browser user should try them in. */
const PRESETS: UNetPresetName[] = ['tiny', 'small', 'base', 'paper'];

function presetLabel(preset: UNetPresetName): string {
  const config = UNET_PRESETS[preset];
  const params = unetParameterCount(config);
  const gflop = unetForwardFlops(config) / 1e9;
  const size = params >= 1e6 ? `${(params / 1e6).toFixed(1)} M` : `${Math.round(params / 1e3)} k`;
  return `${preset} — ${size} params, ${gflop < 10 ? gflop.toFixed(1) : gflop.toFixed(0)} GFLOP/slice`;
}

export function ModelPanel() {
  const config = useModelStore((s) => s.config);
  const setConfig = useModelStore((s) => s.setConfig);
  const autosaveEvery = useModelStore((s) => s.autosaveEvery);
  const setModelState = useModelStore((s) => s.set);
  const status = useModelStore((s) => s.status);
  const model = useModelStore((s) => s.model);
  const smoothing = useDataStore((s) => s.smoothing);
  const locked = status !== 'idle';
  const presetLabels = useMemo(() => Object.fromEntries(PRESETS.map((p) => [p, presetLabel(p)])) as Record<UNetPresetName, string>, []);

  return (
    <div className="stack">
      <fieldset className="form-grid" disabled={locked}>
        <label className="wide">
          preset
          <select data-testid="preset-select" value={config.preset} onChange={(e) => setConfig({ preset: e.target.value as UNetPresetName })}>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {presetLabels[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          loss
          <select value={config.loss} onChange={(e) => setConfig({ loss: e.target.value as LossKind })}>
            <option value="fq">FQ (pDDPM-IQA)</option>
            <option value="l1">l1 (pDDPM)</option>
          </select>
        </label>
        <NumberField label="loss alpha" value={config.alpha} min={0} max={1} step={0.01} disabled={config.loss !== 'fq'} onChange={(alpha) => setConfig({ alpha })} />
        <AirSelect mode={config.air} onChange={(air) => setConfig({ air })} />
        <label>
          noise
          <select value={config.noise} onChange={(e) => setConfig({ noise: e.target.value as NoiseType })}>
            <option value="simplex">simplex</option>
            <option value="gaussian">gaussian</option>
          </select>
        </label>
        <label>
          model
          <select value={config.patched ? 'pddpm' : 'ddpm'} onChange={(e) => setConfig({ patched: e.target.value === 'pddpm' })}>
            <option value="pddpm">pDDPM (2×2 boxes)</option>
            <option value="ddpm">DDPM (whole)</option>
          </select>
        </label>
        <NumberField label="steps" testId="steps-input" value={config.steps} min={1} max={1_000_000} step={1} integer onChange={(steps) => setConfig({ steps })} />
        <NumberField label="batch" testId="batch-input" value={config.batchSize} min={1} max={256} step={1} integer onChange={(batchSize) => setConfig({ batchSize })} />
        <NumberField label="seed" value={config.seed} min={0} max={2 ** 31 - 1} step={1} integer onChange={(seed) => setConfig({ seed })} />
        <NumberField
          label="validate every"
          testId="evaluate-every-input"
          value={config.evaluateEvery}
          min={0}
          max={1_000_000}
          step={1}
          integer
          onChange={(evaluateEvery) => setConfig({ evaluateEvery })}
        />
        <NumberField
          label="autosave every"
          testId="autosave-every-input"
          value={autosaveEvery}
          min={1}
          max={1_000_000}
          step={1}
          integer
          onChange={(value) => setModelState({ autosaveEvery: value })}
        />
        <label className="wide check">
          <input type="checkbox" data-testid="smoothing-checkbox" checked={smoothing} onChange={(e) => setSmoothing(e.target.checked)} />
          smooth scans as read (curvature flow, time step 0.125, 3 iterations, as the reference)
        </label>
      </fieldset>
      <p className="hint" data-testid="smoothing-hint">
        {smoothing
          ? 'Images are smoothed before they are conformed; brain masks, segmentations and already conformed volumes (such as the demo) never are.'
          : 'Images are conformed as read, without smoothing; the model records that.'}
      </p>
      <AirSummary mode={config.air} />
      {config.loss === 'fq' && <p className="hint">FQ training loss is computed on [-1, 1] data, as in the reference code.</p>}
      <TrainingControls />
      {model && (
        <p className="model-info" data-testid="model-info">
          Model: {model.preset}, {model.parameters.toLocaleString()} parameters, {model.loss === 'fq' ? `FQ loss α=${model.alpha}` : 'l1 loss'},{' '}
          {airLabel(model.airApplied, model.airMode)}, trained on images with {smoothingLabel(model.smoothing)}, {model.noise} noise,{' '}
          {model.patched ? 'pDDPM' : 'DDPM'}, step {model.step}
          {model.bestValLoss !== null ? `, best validation loss ${model.bestValLoss.toFixed(4)}` : ''}
        </p>
      )}
      <CheckpointControls />
    </div>
  );
}
