// An accessible progress bar with a label (and optional ETA) for training, reconstruction and sweeps.
export function ProgressBar({ value, max, label, testId, detail }: { value: number; max: number; label: string; testId?: string; detail?: string }) {
  const fraction = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        data-testid={testId}
      >
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <div className="progress-text">
        <span>
          {label} {value}/{max}
        </span>
        {detail !== undefined && <span>{detail}</span>}
      </div>
    </div>
  );
}
