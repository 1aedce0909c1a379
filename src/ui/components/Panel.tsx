// A collapsible sidebar section (native <details>, so it opens with the keyboard) wrapped in an error boundary.
import type { ReactNode } from 'react';
import { ErrorBoundary } from './ErrorBoundary.tsx';

export function Panel({ title, children, open = true, aside }: { title: string; children: ReactNode; open?: boolean; aside?: ReactNode }) {
  return (
    <details className="panel" open={open}>
      <summary>
        <span className="panel-title">{title}</span>
        {aside !== undefined && <span className="panel-aside">{aside}</span>}
      </summary>
      <div className="panel-body">
        <ErrorBoundary area={title}>{children}</ErrorBoundary>
      </div>
    </details>
  );
}
