// Keeps a crash in one panel from taking the page down: shows what broke and a button to try again.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  area: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`fqlab: the ${this.props.area} panel failed`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="boundary" role="alert">
        <p>
          The {this.props.area} panel hit a problem: <code>{this.state.error.message}</code>. Your data and model are still loaded.
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Show the panel again
        </button>
      </div>
    );
  }
}
