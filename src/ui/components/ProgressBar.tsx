// An accessible progress bar with a label (and optional ETA) for training, reconstruction and sweeps.
/** `exactValue` is kept unrounded in data-exact (e.g. the training loss, which tests compare exactly). */
export function ProgressBar({
  value,
  max,
  label,
  testId,
  detail,
  exactValue,
}: {
  value: number;
  max: number;
  label: string;
  testId?: string;
  detail?: string;
  exactValue?: string;
}) {
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
        data-exact={exactValue}
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
