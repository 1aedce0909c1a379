// Exports: any map of a case as NIfTI on the original grid, metrics as CSV/JSON, the checkpoint, a PNG of the viewer, and the CLI command of the analysis.
import { useState } from 'react';
import { layerRequest, structuralTermOf, type MapLayer } from '../../../workers/api.ts';
import { downloadCheckpoint } from '../actions/modelActions.ts';
import { checkpointFileName, cliCasesOf, evaluateCliCommand } from '../export/cliCommand.ts';
import { downloadBytes, safeFileStem } from '../export/download.ts';
import { evaluationCsv, evaluationJson, metricsProvenance } from '../export/metricsTable.ts';
import { useAnalysisStore } from '../stores/analysisStore.ts';
import { useDataStore } from '../stores/dataStore.ts';
import { useErrorStore } from '../stores/errorStore.ts';
import { useModelStore } from '../stores/modelStore.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { LAYER_NAMES } from '../viewer/layerStyles.ts';
import { captureViewerPng } from '../viewer/viewerHandle.ts';
import { toUserError } from '../worker/userError.ts';
import { workbenchWorker } from '../worker/workbenchWorker.ts';

const EXPORTABLE: MapLayer[] = ['fq', 'ssim-loss', 'l1', 'prediction', 'reconstruction'];

export function ExportPanel() {
  const cases = useDataStore((s) => s.cases);
  const viewerCase = useViewerStore((s) => s.caseId);
  const evaluation = useAnalysisStore((s) => s.evaluation);
  const model = useModelStore((s) => s.model);
  const [layer, setLayer] = useState<MapLayer>('fq');
  const [busy, setBusy] = useState(false);
  /** The full provenance of the last exported map (its NIfTI header holds the compact one). */
  const [sidecar, setSidecar] = useState<{ fileName: string; text: string } | null>(null);
  const evaluated = new Set(evaluation?.cases.map((c) => c.caseId) ?? []);
  const caseId = viewerCase !== null && evaluated.has(viewerCase) ? viewerCase : (evaluation?.cases[0]?.caseId ?? null);
  const report = useErrorStore((s) => s.report);
  const files = useDataStore((s) => s.files);
  const [copied, setCopied] = useState('');
  const cli = evaluation
    ? evaluateCliCommand({
        modelFile: checkpointFileName(model),
        cases: cliCasesOf(cases, files),
        noiseLevel: evaluation.key.noiseLevel,
        alpha: evaluation.key.alpha,
        alphaSource: evaluation.alphaChoice.source,
        score: evaluation.key.score,
        structural: structuralTermOf(evaluation.key) ?? 'ssim',
        seed: evaluation.key.seed,
        thresholdSource: evaluation.threshold.source,
        ...(model ? { model } : {}),
      })
    : null;

  const copyCli = async () => {
    if (!cli) return;
    try {
      await navigator.clipboard.writeText(cli.command);
      setCopied('copied');
    } catch {
      setCopied('the browser refused clipboard access: select the command below instead');
    }
  };
  const provenance = () => metricsProvenance(model, cases.flatMap((c) => (c.info ? [c.info] : [])));

  const exportMap = async () => {
    const request = caseId === null ? null : layerRequest(caseId, layer, evaluation);
    if (caseId === null || request === null) return;
    setBusy(true);
    try {
      const file = await workbenchWorker().exportLayer(request);
      const name = file.fileName.endsWith('.nii.gz') ? file.fileName : `${safeFileStem(caseId)}_${layer}.nii.gz`;
      downloadBytes(name, file.bytes, 'application/gzip');
      // Offered as its own download: browsers hold back a second download started by the same click.
      setSidecar(file.provenanceJson ? { fileName: name.replace(/\.nii\.gz$/, '.json'), text: file.provenanceJson } : null);
    } catch (error) {
      const { fileName, message } = toUserError(error, caseId);
      report(fileName, `could not export the ${LAYER_NAMES[layer]}: ${message}`);
    } finally {
      setBusy(false);
    }
  };

  const exportPng = async () => {
    try {
      downloadBytes(`${safeFileStem(viewerCase ?? 'fqlab')}_view.png`, await captureViewerPng());
    } catch (error) {
      report('', `Could not save the viewer image: ${toUserError(error).message}`);
    }
  };

  return (
    <div className="stack">
      <div className="form-grid">
        <label className="wide">
          map of {caseId ?? 'the viewed case'}
          <select value={layer} onChange={(e) => setLayer(e.target.value as MapLayer)} aria-label="Map to export">
            {EXPORTABLE.map((l) => (
              <option key={l} value={l}>
                {LAYER_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="button-row">
        <button type="button" data-testid="export-button" disabled={caseId === null || busy || cases.length === 0} onClick={() => void exportMap()}>
          {busy ? 'Exporting…' : 'Export map (.nii.gz, original grid)'}
        </button>
        {sidecar && (
          <button type="button" data-testid="export-provenance" onClick={() => downloadBytes(sidecar.fileName, sidecar.text, 'application/json')}>
            Its provenance ({sidecar.fileName})
          </button>
        )}
      </div>
      <div className="button-row">
        <button
          type="button"
          disabled={!evaluation}
          onClick={() => evaluation && downloadBytes('fqlab-metrics.csv', evaluationCsv(evaluation, provenance()), 'text/csv')}
        >
          Metrics CSV
        </button>
        <button
          type="button"
          disabled={!evaluation}
          onClick={() => evaluation && downloadBytes('fqlab-metrics.json', evaluationJson(evaluation, provenance()), 'application/json')}
        >
          Metrics JSON
        </button>
        <button type="button" disabled={!model} onClick={() => void downloadCheckpoint()}>
          Checkpoint
        </button>
        <button type="button" disabled={viewerCase === null} onClick={() => void exportPng()} data-testid="export-png">
          Viewer PNG
        </button>
      </div>
      <div className="button-row">
        <button type="button" disabled={!cli} onClick={() => void copyCli()} data-testid="copy-cli-command" title="Save the checkpoint too: the command names its file">
          Copy CLI command
        </button>
        {copied && <span className="hint">{copied}</span>}
      </div>
      {cli && (
        <>
          <code className="cli-command" data-testid="cli-command">{cli.command}</code>
          {cli.notes.map((note) => (
            <p key={note} className="hint">{note}</p>
          ))}
        </>
      )}
      {caseId === null && <p className="hint">Maps can be exported once inference has run.</p>}
    </div>
  );
}
