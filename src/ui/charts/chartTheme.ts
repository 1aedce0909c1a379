// Shared uPlot axis and series styling so every chart in the workbench looks alike.
import type uPlot from 'uplot';

export const SERIES_COLORS = { train: '#2f7fd8', validation: '#e0762b', dice: '#2a9d62', auprc: '#8a4fd0', pr: '#c23b5a' } as const;

export function axes(xLabel: string, yLabel: string): uPlot.Axis[] {
  const style = { stroke: '#5b6470', grid: { stroke: '#e6e9ee', width: 1 }, ticks: { stroke: '#d5d9df', width: 1 }, font: '11px system-ui, sans-serif', labelFont: '11px system-ui, sans-serif' };
  return [
    { ...style, label: xLabel, labelSize: 16, size: 30 },
    { ...style, label: yLabel, labelSize: 16, size: 44 },
  ];
}

export function line(label: string, stroke: string, dash?: number[]): uPlot.Series {
  const series: uPlot.Series = { label, stroke, width: 1.5, spanGaps: true, points: { show: false } };
  if (dash) series.dash = dash;
  return series;
}
