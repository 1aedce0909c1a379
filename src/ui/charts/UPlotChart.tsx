// React wrapper of uPlot: builds the chart in an effect, follows its container's width, updates data in place, destroys on unmount.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UPlotChartProps {
  /** Chart options without width/height (the container sets them). Rebuilt only when `optionsKey` changes. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  optionsKey: string;
  data: uPlot.AlignedData;
  height: number;
  label: string;
}

export function UPlotChart({ options, optionsKey, data, height, label }: UPlotChartProps) {
  const holderRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<uPlot | null>(null);
  const latest = useRef({ options, data });
  useEffect(() => {
    latest.current = { options, data };
  });

  useEffect(() => {
    const holder = holderRef.current;
    if (!holder) return;
    const width = Math.max(160, holder.clientWidth);
    const chart = new uPlot({ ...latest.current.options, width, height }, latest.current.data, holder);
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(160, holder.clientWidth), height }));
    observer.observe(holder);
    return () => {
      observer.disconnect();
      chart.destroy();
      chartRef.current = null;
    };
  }, [optionsKey, height]);

  useEffect(() => {
    chartRef.current?.setData(data);
  }, [data]);

  return <div ref={holderRef} className="chart" role="img" aria-label={label} />;
}
