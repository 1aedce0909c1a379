// The colorbar of the map on screen, beside the viewer: its colormap bottom (0) to top, with the window and what sets it.
import { useMemo } from 'react';
import { cmapper } from '@niivue/niivue';
import type { MapLayer } from '../../../workers/api.ts';
import { useViewerStore } from '../stores/viewerStore.ts';
import { LAYER_NAMES, QUALITY_MAP_LAYERS } from '../viewer/layerStyles.ts';
import { useMapWindowStore } from '../viewer/mapWindowStore.ts';

const STOPS = 16;

function formatValue(value: number): string {
  return value === 0 ? '0' : value.toPrecision(3);
}

/** What the column says when no quality map is drawn (it keeps its width, so the image never jumps). */
function idleText(layer: MapLayer | null): string {
  if (layer === 'reconstruction') return "Reconstruction: the model's guess of this scan without anomalies, drawn in gray inside the brain. A small model's guess is blurry; an anomaly is where scan and guess differ.";
  return 'No map shown. Pick an overlay (FQ, SSIM-loss or l1) after inference.';
}

export function MapColorbar({ caseId, layer }: { caseId: string; layer: MapLayer | null }) {
  const colormap = useViewerStore((s) => (layer === null ? 'gray' : s.styles[layer].colormap));
  const window = useMapWindowStore((s) => (layer === null ? undefined : s.windows[`${caseId}|${layer}`]));
  const gradient = useMemo(() => {
    const lut = cmapper.colormap(colormap);
    const stops: string[] = [];
    for (let s = 0; s < STOPS; s++) {
      const i = Math.round((s / (STOPS - 1)) * 255) * 4;
      stops.push(`rgb(${lut[i]} ${lut[i + 1]} ${lut[i + 2]} / ${(lut[i + 3] / 255).toFixed(2)})`);
    }
    return `linear-gradient(to top, ${stops.join(', ')})`;
  }, [colormap]);
  if (!window || layer === null || !QUALITY_MAP_LAYERS.includes(layer)) {
    return (
      <figure className="map-colorbar" data-testid="map-colorbar">
        <p className="map-colorbar-basis">{idleText(layer)}</p>
      </figure>
    );
  }
  return (
    <figure className="map-colorbar" data-testid="map-colorbar" aria-label={`${LAYER_NAMES[layer]} colour scale`}>
      <figcaption>{LAYER_NAMES[layer]}</figcaption>
      <div className="map-colorbar-scale">
        <span className="map-colorbar-bar" style={{ background: gradient }} aria-hidden="true" />
        <span className="map-colorbar-ticks">
          <span>{formatValue(window.max)}</span>
          <span>{formatValue(window.max / 2)}</span>
          <span>{formatValue(window.min)}</span>
        </span>
      </div>
      <p className="map-colorbar-basis" data-testid="map-window">
        window 0 – {formatValue(window.max)}: {window.basis}; 0 and outside the brain clear
      </p>
    </figure>
  );
}
