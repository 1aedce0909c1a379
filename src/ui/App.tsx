// Top-level layout of the fqlab workbench.
export function App() {
  return (
    <main>
      <h1>fqlab</h1>
      <p data-testid="privacy-note">
        Anomaly detection in brain MRI, entirely in your browser: no file you open leaves this machine.
      </p>
    </main>
  );
}
