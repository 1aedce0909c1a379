// The error banner: each refusal or failure with the file it concerns and what to do; dismissible one by one.
import { useErrorStore } from '../stores/errorStore.ts';

export function ErrorBanner() {
  const errors = useErrorStore((s) => s.errors);
  const dismiss = useErrorStore((s) => s.dismiss);
  const clear = useErrorStore((s) => s.clear);
  if (errors.length === 0) return null;
  return (
    <div className="error-banner" data-testid="error-banner" role="alert">
      <ul>
        {errors.map((e) => (
          <li key={e.id}>
            <span>
              {e.fileName !== '' && <strong className="error-file">{e.fileName}: </strong>}
              {e.message}
            </span>
            <button type="button" className="link" onClick={() => dismiss(e.id)} aria-label={`Dismiss message about ${e.fileName || 'the workbench'}`}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {errors.length > 1 && (
        <button type="button" className="link" data-testid="dismiss-all" onClick={clear}>
          Dismiss all
        </button>
      )}
    </div>
  );
}
