// A small horizontal colorbar drawn from NiiVue's own lookup table, so it matches the overlay exactly.
import { useMemo } from 'react';
import { cmapper } from '@niivue/niivue';

const STOPS = 16;

export function Colorbar({ colormap }: { colormap: string }) {
  const gradient = useMemo(() => {
    const lut = cmapper.colormap(colormap);
    const stops: string[] = [];
    for (let s = 0; s < STOPS; s++) {
      const i = Math.round((s / (STOPS - 1)) * 255) * 4;
      stops.push(`rgb(${lut[i]} ${lut[i + 1]} ${lut[i + 2]})`);
    }
    return `linear-gradient(to right, ${stops.join(', ')})`;
  }, [colormap]);
  return <span className="colorbar" style={{ background: gradient }} aria-hidden="true" />;
}
