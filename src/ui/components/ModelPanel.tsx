// Model panel: method and its preset, loss, AIR, noise, pDDPM vs DDPM, read-time smoothing; training controls, charts and checkpoints.
import { useEffect } from 'react';
import { defaultGanSteps, type LossKind, type MethodName, type MethodOptions, type MethodPresetSummary, type MethodSummary, type NoiseType, type UNetPresetName, type VaeVariant } from '../../../workers/api.ts';
import { airLabel, smoothingLabel } from '../../core/provenance.ts';
import { setSmoothing } from '../actions/dataActions.ts';
import { chooseMethod, loadMethods, presetsBySize } from '../actions/modelActions.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { AirSelect, AirSummary } from './AirControl.tsx';
import { CheckpointControls } from './CheckpointControls.tsx';
import { ChoiceField } from './ChoiceField.tsx';
import { NumberField } from './NumberField.tsx';
import { TrainingControls } from './TrainingControls.tsx';

/** Methods whose reconstruction is a diffusion process, so they take a noise type. */
const DIFFUSION_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['ddpm', 'mddpm', 'pddpm']);

/** The vae's variants as the picker names them (BASELINES.md 4, options A and B). */
const VAE_VARIANT_LABELS: Readonly<Record<VaeVariant, string>> = { baur: 'Baur (dense VAE)', upd: 'UPD (convolutional VAE)' };

function methodLabel(method: MethodSummary): string {
  return method.surrogate ? `${method.label} (surrogate)` : method.label;
}

/** A preset with the registry's parameter count and, where it states one, the forward cost of a slice. */
function presetLabel(method: MethodSummary | undefined, preset: MethodPresetSummary): string {
  if (method && !method.trains) return `${preset.preset} — no training`;
  const params = preset.parameters;
  const size = params >= 1e6 ? `${(params / 1e6).toFixed(1)} M` : `${Math.round(params / 1e3)} k`;
  const gflop = preset.gflopPerSlice;
  const cost = gflop === null ? '' : `, ${gflop < 10 ? gflop.toFixed(1) : gflop.toFixed(0)} GFLOP/slice`;
  return `${preset.preset} — ${size} params${cost}`;
}

export function ModelPanel() {
  const config = useModelStore((s) => s.config);
  const setConfig = useModelStore((s) => s.setConfig);
  const autosaveEvery = useModelStore((s) => s.autosaveEvery);
  const setModelState = useModelStore((s) => s.set);
  const status = useModelStore((s) => s.status);
  const model = useModelStore((s) => s.model);
  const smoothing = useDataStore((s) => s.smoothing);
  const methods = useModelStore((s) => s.methods);
  const locked = status !== 'idle';
  useEffect(() => void loadMethods(), []);
  const methodName = config.method ?? 'pddpm';
  const method = methods?.find((m) => m.name === methodName);
  // Until the worker answered, only the configured preset is offered (its size follows).
  const options = config.methodOptions ?? {};
  const presets = method ? presetsBySize(method, options) : null;
  const trains = method?.trains ?? true;
  const setOptions = (patch: MethodOptions) => setConfig({ methodOptions: { ...options, ...patch } });

  return (
    <div className="stack">
      <fieldset className="form-grid" disabled={locked}>
        <label className="wide">
          method
          <select data-testid="method-select" value={methodName} onChange={(e) => chooseMethod(e.target.value as MethodName)}>
            {(methods ?? []).map((m) => (
              <option key={m.name} value={m.name}>
                {methodLabel(m)}
              </option>
            ))}
            {!methods && <option value={methodName}>{methodName}</option>}
          </select>
        </label>
        {method?.variants && (
          <ChoiceField
            label="VAE variant"
            testId="vae-variant-select"
            wide
            value={options.vaeVariant ?? 'baur'}
            choices={method.variants.map((v) => ({ value: v.variant, label: VAE_VARIANT_LABELS[v.variant] }))}
            onChange={(vaeVariant) => setOptions({ vaeVariant })}
          />
        )}
        <label className="wide">
          preset
          <select data-testid="preset-select" value={config.preset} onChange={(e) => setConfig({ preset: e.target.value as UNetPresetName })}>
            {presets
              ? presets.map((p) => (
                  <option key={p.preset} value={p.preset} title={`${p.parameters.toLocaleString('en-US')} parameters`}>
                    {presetLabel(method, p)}
                  </option>
                ))
              : <option value={config.preset}>{config.preset}</option>}
          </select>
        </label>
        <label>
          training loss
          <select value={config.loss} disabled={!trains} onChange={(e) => setConfig({ loss: e.target.value as LossKind })}>
            <option value="fq">FQ (IQA)</option>
            <option value="l1">l1</option>
          </select>
        </label>
        <NumberField label="loss alpha" value={config.alpha} min={0} max={1} step={0.01} disabled={!trains || config.loss !== 'fq'} onChange={(alpha) => setConfig({ alpha })} />
        <AirSelect mode={config.air} onChange={(air) => setConfig({ air })} />
        {DIFFUSION_METHODS.has(methodName) && (
          <label>
            noise
            <select value={config.noise} onChange={(e) => setConfig({ noise: e.target.value as NoiseType })}>
              <option value="simplex">simplex</option>
              <option value="gaussian">gaussian</option>
            </select>
          </label>
        )}
        {methodName === 'pddpm' && (
          <label>
            boxes
            <select value={config.patched ? 'pddpm' : 'ddpm'} onChange={(e) => setConfig({ patched: e.target.value === 'pddpm' })}>
              <option value="pddpm">pDDPM (2×2 boxes)</option>
              <option value="ddpm">whole slice (pDDPM's U-Net)</option>
            </select>
          </label>
        )}
        {methodName === 'thresh' && (
          <label className="check">
            <input type="checkbox" data-testid="equalize-checkbox" checked={options.equalize === true} onChange={(e) => setOptions({ equalize: e.target.checked })} />
            equalise the brain histogram
          </label>
        )}
        {methodName === 'fanogan' && (
          <NumberField
            label="WGAN-GP steps (then encoder)"
            testId="gan-steps-input"
            value={options.ganSteps ?? defaultGanSteps(config.steps)}
            min={0}
            max={1_000_000}
            step={1}
            integer
            onChange={(ganSteps) => setOptions({ ganSteps })}
          />
        )}
        <NumberField label="steps" testId="steps-input" value={config.steps} min={1} max={1_000_000} step={1} integer disabled={!trains} onChange={(steps) => setConfig({ steps })} />
        <NumberField label={method?.batchUnit === 'volumes' ? 'batch (volumes)' : 'batch'} testId="batch-input" value={config.batchSize} min={1} max={256} step={1} integer disabled={!trains} onChange={(batchSize) => setConfig({ batchSize })} />
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
      {method && (
        <p className="hint" data-testid="method-source">
          {method.label}: {method.source}
          {method.trains ? '' : ' — no training: the (AIR-transformed) intensity is the anomaly map, and the model exists as soon as you press the button.'}
        </p>
      )}
      <AirSummary mode={config.air} />
      {trains && config.loss === 'fq' && <p className="hint">FQ training loss is computed on the network's own output range ([-1, 1] for the diffusion models, as in the reference code).</p>}
      <TrainingControls />
      {model && (
        <p className="model-info" data-testid="model-info">
          Model: {methods?.find((m) => m.name === model.method)?.label ?? model.method}
          {model.methodOptions.vaeVariant === 'upd' ? ' (UPD variant)' : ''}
          {model.methodOptions.equalize === true ? ' (histogram-equalised)' : ''} {model.preset}, {model.parameters.toLocaleString()} parameters,{' '}
          {model.loss === 'fq' ? `FQ loss α=${model.alpha}` : 'l1 loss'}, {airLabel(model.airApplied, model.airMode)}, trained on images with{' '}
          {smoothingLabel(model.smoothing)}
          {DIFFUSION_METHODS.has(model.method) ? `, ${model.noise} noise` : ''}
          {model.method === 'pddpm' ? (model.patched ? ', 2×2 boxes' : ', whole slice') : ''}
          {model.methodOptions.ganSteps === undefined ? '' : `, ${model.methodOptions.ganSteps} WGAN-GP steps then encoder`}, step {model.step}
          {model.bestValLoss !== null ? `, best validation loss ${model.bestValLoss.toFixed(4)}` : ''}
        </p>
      )}
      <CheckpointControls />
    </div>
  );
}
