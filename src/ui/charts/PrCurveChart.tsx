// Precision-recall curve of one case from the latest evaluation.
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { UPlotChart } from './UPlotChart.tsx';
import { axes, line, SERIES_COLORS } from './chartTheme.ts';

const PR_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  scales: { x: { time: false, range: [0, 1] }, y: { range: [0, 1] } },
  axes: axes('recall', 'precision'),
  series: [{ label: 'recall' }, line('precision', SERIES_COLORS.pr)],
  legend: { show: false },
  cursor: { drag: { x: false, y: false } },
};

export function PrCurveChart({ precision, recall, caseId }: { precision: number[]; recall: number[]; caseId: string }) {
  // uPlot needs ascending x: sort the curve's points by recall.
  const data = useMemo<uPlot.AlignedData>(() => {
    const order = recall.map((_, i) => i).sort((a, b) => recall[a] - recall[b] || precision[b] - precision[a]);
    return [order.map((i) => recall[i]), order.map((i) => precision[i])];
  }, [precision, recall]);
  return <UPlotChart options={PR_OPTIONS} optionsKey="pr" data={data} height={170} label={`Precision-recall curve of ${caseId}`} />;
}
