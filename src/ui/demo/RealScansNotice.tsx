// The real-scan track's notice: real lesions, every source credited, how little the models trained on, and the stored comparison.
import type { RealTrackInfo } from '../stores/demoStore.ts';
import { comparisonSentence } from './realTrackResults.ts';

export function RealScansNotice({ info }: { info: RealTrackInfo }) {
  const comparison = comparisonSentence(info.results, info.thresholdCase);
  return (
    <div className="demo-real" data-testid="real-scans-notice">
      <p>
        <strong>Demo data: real {info.modality} scans with real lesions</strong> (multiple sclerosis and a low-grade glioma whose
        segmentation is algorithmic, not a manual tracing), shipped under their licences.{' '}
        <span data-testid="real-training">
          {info.training
            ? `Its two models trained on very little: ${info.training.slices} axial slices from ${info.training.scans} scans (the lesion-free slices of these same scans${info.modality === 'T2' ? ', and healthy IXI002 T2' : ''}), where the paper trains on hundreds of healthy scans. `
            : 'Its two models trained on very little: the lesion-free slices of these same scans. '}
          Expect weak maps; the threshold comes from one scan and is tested on the other.
        </span>
      </p>
      {comparison && <p data-testid="real-results">{comparison}</p>}
      <p className="demo-attribution" data-testid="real-credits">
        {info.credits.map((c) => `${c.attribution} (${c.licence})`).join('; ')}.
      </p>
    </div>
  );
}
