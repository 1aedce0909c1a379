// Values of every loaded layer at the crosshair voxel (updated as the crosshair moves).
import { useViewerStore } from '../stores/viewerStore.ts';
import { LAYER_NAMES } from '../viewer/layerStyles.ts';

export function CrosshairReadout() {
  const readout = useViewerStore((s) => s.readout);
  if (!readout) return <div className="readout hint">Click the scan to read the layer values at a voxel.</div>;
  return (
    <div className="readout" data-testid="crosshair-readout" aria-live="polite">
      <div className="mono">voxel {readout.voxel.join(', ')}</div>
      <table>
        <tbody>
          {readout.values.map((v) => (
            <tr key={v.layer}>
              <th scope="row">{LAYER_NAMES[v.layer]}</th>
              <td className="mono">{Number.isInteger(v.value) ? v.value : v.value.toPrecision(4)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
