// The sweep as a heatmap: rows are noise levels, columns alphas, colour the chosen metric; the best cell is outlined.
import type { SweepResult } from '../../../workers/api.ts';
import { applySweepCell } from '../actions/sweepActions.ts';
import type { SweepMetric } from '../stores/sweepStore.ts';
import { percent } from '../format.ts';

/** A light-to-dark blue ramp; readable text colour flips on dark cells. */
function cellColour(fraction: number): { background: string; color: string } {
  const lightness = 96 - fraction * 58;
  return { background: `hsl(212 70% ${lightness}%)`, color: lightness < 60 ? '#fff' : '#1d2530' };
}

export function SweepHeatmap({ result, metric }: { result: SweepResult; metric: SweepMetric }) {
  const alphas = [...new Set(result.cells.map((c) => c.alpha))].sort((a, b) => a - b);
  const noiseLevels = [...new Set(result.cells.map((c) => c.noiseLevel))].sort((a, b) => a - b);
  const values = result.cells.map((c) => c[metric]).filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return (
    <table className="heatmap" aria-label={`Sweep heatmap of ${metric === 'dice' ? 'DICE' : 'AUPRC'}`} data-testid="sweep-heatmap">
      <thead>
        <tr>
          <th scope="col">noise \ α</th>
          {alphas.map((a) => (
            <th key={a} scope="col">
              {a}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {noiseLevels.map((n) => (
          <tr key={n}>
            <th scope="row">{n}</th>
            {alphas.map((a) => {
              const cell = result.cells.find((c) => c.alpha === a && c.noiseLevel === n);
              const value = cell ? cell[metric] : null;
              const isBest = result.best !== null && result.best.alpha === a && result.best.noiseLevel === n;
              const colours = value === null ? { background: '#f3f4f6', color: '#8a929c' } : cellColour(hi > lo ? (value - lo) / (hi - lo) : 1);
              return (
                <td key={a} className={isBest ? 'best' : undefined} style={colours}>
                  <button
                    type="button"
                    className="cell-button"
                    onClick={() => applySweepCell(a, n)}
                    aria-label={`alpha ${a}, noise level ${n}: ${percent(value)}${isBest ? ' (best)' : ''}`}
                  >
                    {percent(value)}
                    {isBest ? ' ★' : ''}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
