// Top-level layout of the fqlab workbench: header, sidebar of panels, the results strip, the big viewer and the metrics below it.
import { useEffect } from 'react';
import { addFiles } from './actions/dataActions.ts';
import { filesFromDrop } from './actions/droppedFiles.ts';
import { startWorkbench } from './actions/diagnosticsActions.ts';
import { AnalysisPanel } from './components/AnalysisPanel.tsx';
import { ComparisonView } from './components/ComparisonView.tsx';
import { DataPanel } from './components/DataPanel.tsx';
import { BackendLabel, DiagnosticsPanel } from './components/DiagnosticsPanel.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { ExportPanel } from './components/ExportPanel.tsx';
import { MetricsPanel } from './components/MetricsPanel.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { Panel } from './components/Panel.tsx';
import { StoragePanel } from './components/StoragePanel.tsx';
import { ResultsStrip } from './components/ResultsStrip.tsx';
import { SweepPanel } from './components/SweepPanel.tsx';
import { ViewerPane } from './components/ViewerPane.tsx';
import { DemoBar } from './demo/DemoBar.tsx';
import { openDemoOnLoad } from './demo/demoPipeline.ts';
import { FirstRunHint } from './demo/FirstRunHint.tsx';
import { restoreWorkspace, startPersistence } from './storage/persistence.ts';
import { useDataStore } from './stores/dataStore.ts';
import { useModelStore } from './stores/modelStore.ts';

/** Files dropped anywhere on the page go through the app (NiiVue's own drag-and-drop is off), never to the browser. */
function useWindowDrop(): void {
  useEffect(() => {
    const onDragOver = (event: DragEvent) => event.preventDefault();
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      if (event.dataTransfer) void filesFromDrop(event.dataTransfer).then(addFiles);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}

export function App() {
  useEffect(startWorkbench, []);
  // After the worker has started: the last page's workspace comes back; without one the demo opens by itself
  // unless the address says ?demo=off. Changes are saved from then on.
  useEffect(() => {
    void restoreWorkspace().then((restored) => {
      startPersistence();
      if (!restored) openDemoOnLoad();
    });
  }, []);
  useWindowDrop();
  const fileCount = useDataStore((s) => s.files.length);
  const caseCount = useDataStore((s) => s.cases.length);
  const model = useModelStore((s) => s.model);
  return (
    <div className="app">
      <header className="app-header">
        <h1>fqlab</h1>
        <p className="tagline" data-testid="privacy-note">
          Anomaly detection in brain MRI, entirely in your browser: no file you open leaves this machine.
        </p>
        <div className="header-backend">
          compute: <BackendLabel testId="backend-label" />
        </div>
      </header>
      <ErrorBanner />
      <div className="workbench">
        <aside className="sidebar" aria-label="Controls">
          <Panel title="Data" aside={fileCount > 0 ? `${fileCount} files · ${caseCount} cases` : undefined}>
            <DataPanel />
          </Panel>
          <Panel title="Model" aside={model ? `${model.method} ${model.preset} · step ${model.step}` : 'none'}>
            <ModelPanel />
          </Panel>
          <Panel title="Analysis">
            <AnalysisPanel />
          </Panel>
          <Panel title="Sweeps" open={false}>
            <SweepPanel />
          </Panel>
          <Panel title="Export" open={false}>
            <ExportPanel />
          </Panel>
          <Panel title="Storage" open={false}>
            <StoragePanel />
          </Panel>
          <Panel title="Diagnostics" open={false}>
            <DiagnosticsPanel />
          </Panel>
        </aside>
        <main className="main">
          <FirstRunHint />
          <ErrorBoundary area="demo">
            <DemoBar />
          </ErrorBoundary>
          <ErrorBoundary area="results">
            <ResultsStrip />
          </ErrorBoundary>
          <ErrorBoundary area="viewer">
            <ViewerPane />
          </ErrorBoundary>
          <section className="metrics-section" aria-label="Metrics">
            <h2>Metrics</h2>
            <ErrorBoundary area="metrics">
              <MetricsPanel />
            </ErrorBoundary>
          </section>
          <section className="metrics-section" aria-label="Comparison">
            <h2>Comparison</h2>
            <ErrorBoundary area="comparison">
              <ComparisonView />
            </ErrorBoundary>
          </section>
        </main>
      </div>
    </div>
  );
}
