// Diagnostics: the compute backend in use and why, the GPU, WebGPU kernel set and TFLOP/s reached, the compute worker's tfjs memory, timings; a backend override and copy-to-clipboard.
import { useEffect, useState } from 'react';
import { WEBGPU_KERNEL_SETS, type BackendPreference, type WebGpuKernelSet } from '../../../workers/api.ts';
import { chooseBackend, chooseWebGpuKernels, refreshDiagnostics } from '../actions/diagnosticsActions.ts';
import { BACKEND_PREFERENCES, gpuFacts, rememberPreference, useDiagnosticsStore } from '../stores/diagnosticsStore.ts';
import { formatBytes } from '../format.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useModelStore } from '../stores/modelStore.ts';

/** One line naming the backend and the reason, e.g. "wasm — WebGPU unavailable: no adapter". */
export function BackendLabel({ testId }: { testId?: string }) {
  const backend = useDiagnosticsStore((s) => s.backend);
  const status = useDiagnosticsStore((s) => s.workerStatus);
  const text = status === 'failed' ? 'no backend (worker failed to start)' : backend ? `${backend.name} — ${backend.reason}` : 'starting…';
  return (
    <span className="backend-label" data-testid={testId} title={text}>
      {text}
    </span>
  );
}

function diagnosticsText(): string {
  const { backend, diagnostics, preference } = useDiagnosticsStore.getState();
  return JSON.stringify({ preference, backend, diagnostics, userAgent: navigator.userAgent, crossOriginIsolated: globalThis.crossOriginIsolated }, null, 2);
}

export function DiagnosticsPanel() {
  const preference = useDiagnosticsStore((s) => s.preference);
  const backend = useDiagnosticsStore((s) => s.backend);
  const diagnostics = useDiagnosticsStore((s) => s.diagnostics);
  const [copied, setCopied] = useState<string>('');
  // The worker's tensors change with the model, training and inference: read them again after each, not only on start.
  const modelId = useModelStore((s) => s.model?.modelId);
  const trainingStatus = useModelStore((s) => s.status);
  const reconstruction = useAnalysisStore((s) => s.reconstruction.status);
  const evaluation = useAnalysisStore((s) => s.evaluation);
  useEffect(() => {
    // Before the start-up read the worker may still be starting: that read comes anyway.
    if (useDiagnosticsStore.getState().diagnostics !== null) void refreshDiagnostics();
  }, [modelId, trainingStatus, reconstruction, evaluation]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(diagnosticsText());
      setCopied('copied');
    } catch {
      setCopied('the browser refused clipboard access: select the text below instead');
    }
  };

  const facts = gpuFacts(backend, diagnostics);
  return (
    <div className="stack">
      <div>
        backend: <BackendLabel />
      </div>
      <div className="form-grid">
        <label>
          override
          <select data-testid="backend-select" value={preference} onChange={(e) => {
              const preference = e.target.value as BackendPreference;
              rememberPreference(preference);
              void chooseBackend(preference);
            }}>
            {BACKEND_PREFERENCES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      </div>
      <dl className="facts">
        <div className="fact-row">
          <dt>GPU</dt>
          <dd data-testid="gpu-adapter">{facts.gpu}</dd>
        </div>
        {diagnostics && (
          <>
            <div className="fact-row">
              <dt>tfjs memory</dt>
              <dd data-testid="worker-memory" title="tf.memory() in the compute worker, which holds every tensor (the page's own thread holds none)">
                {diagnostics.memory.numTensors} tensors, {formatBytes(diagnostics.memory.numBytes)} in the compute worker
              </dd>
            </div>
            <div className="fact-row">
              <dt>kernel set</dt>
              <dd data-testid="kernel-set" title="The engine's custom WebGPU kernels or tfjs-backend-webgpu's stock ones (src/engine/webgpu/kernelFlags.ts)">
                {facts.kernelSet}{' '}
                <select
                  data-testid="kernel-set-select"
                  aria-label="WebGPU kernel set"
                  value={diagnostics.kernelSet.set === 'custom' ? 'custom' : 'stock'}
                  onChange={(e) => void chooseWebGpuKernels(e.target.value as WebGpuKernelSet)}
                >
                  {WEBGPU_KERNEL_SETS.map((set) => (
                    <option key={set} value={set}>
                      {set}
                    </option>
                  ))}
                </select>
              </dd>
            </div>
            <div className="fact-row">
              <dt>forward</dt>
              <dd data-testid="forward-tflops" title="The last reconstruction: the U-Net's FLOPs x slice forwards / its wall time">
                {facts.forward}
              </dd>
            </div>
            <div className="fact-row">
              <dt>training</dt>
              <dd data-testid="training-tflops" title="The last training progress report: slices/s x 3 forwards' FLOPs of the U-Net">
                {facts.training}
              </dd>
            </div>
            <div className="fact-row">
              <dt>isolation</dt>
              <dd>{diagnostics.crossOriginIsolated ? 'cross-origin isolated (threaded WASM possible)' : 'not isolated (single-threaded WASM)'}</dd>
            </div>
            {Object.entries(diagnostics.timings).map(([name, ms]) => (
              <div key={name} className="fact-row">
                <dt>{name}</dt>
                <dd>{ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`}</dd>
              </div>
            ))}
          </>
        )}
      </dl>
      <div className="button-row">
        <button type="button" onClick={() => void refreshDiagnostics()}>
          Refresh
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy to clipboard
        </button>
        {copied !== '' && <span className="hint">{copied}</span>}
      </div>
    </div>
  );
}
