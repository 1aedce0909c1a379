// Colormap, opacity and colorbar of each overlay layer shown in the viewer.
import type { MapLayer } from '../../../workers/api.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { COLORMAP_CHOICES, LAYER_NAMES } from '../viewer/layerStyles.ts';
import { Colorbar } from './Colorbar.tsx';

export function LayerControls({ layers }: { layers: MapLayer[] }) {
  const styles = useViewerStore((s) => s.styles);
  const setStyle = useViewerStore((s) => s.setStyle);
  if (layers.length === 0) return <div className="layer-controls hint">Overlays appear here after inference (and the ground truth for cases with a segmentation).</div>;
  return (
    <div className="layer-controls" data-testid="layer-controls">
      {layers.map((layer) => (
        <div className="layer-row" key={layer}>
          <span className="layer-name">{LAYER_NAMES[layer]}</span>
          <select aria-label={`Colormap of ${LAYER_NAMES[layer]}`} value={styles[layer].colormap} onChange={(e) => setStyle(layer, { colormap: e.target.value })}>
            {COLORMAP_CHOICES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={styles[layer].opacity}
            aria-label={`Opacity of ${LAYER_NAMES[layer]}`}
            onChange={(e) => setStyle(layer, { opacity: Number(e.target.value) })}
          />
          <Colorbar colormap={styles[layer].colormap} />
        </div>
      ))}
    </div>
  );
}
