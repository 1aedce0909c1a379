// Live training charts: training and validation loss per step, and validation DICE / AUPRC at each evaluation.
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { useModelStore } from '../stores/modelStore.ts';
import { UPlotChart } from './UPlotChart.tsx';
import { axes, line, SERIES_COLORS } from './chartTheme.ts';

const LOSS_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  scales: { x: { time: false } },
  axes: axes('step', 'loss'),
  series: [{ label: 'step' }, line('training', SERIES_COLORS.train), line('validation', SERIES_COLORS.validation, [4, 3])],
  legend: { show: true, live: false },
  cursor: { drag: { x: false, y: false } },
};

const METRIC_OPTIONS: Omit<uPlot.Options, 'width' | 'height'> = {
  scales: { x: { time: false }, y: { range: [0, 1] } },
  axes: axes('step', 'validation'),
  series: [{ label: 'step' }, { ...line('DICE', SERIES_COLORS.dice), points: { show: true, size: 4 } }, { ...line('AUPRC', SERIES_COLORS.auprc), points: { show: true, size: 4 } }],
  legend: { show: true, live: false },
  cursor: { drag: { x: false, y: false } },
};

export function TrainingCharts() {
  const history = useModelStore((s) => s.history);
  const lossData = useMemo<uPlot.AlignedData>(() => [history.step, history.loss, history.valLoss], [history]);
  const metricData = useMemo<uPlot.AlignedData>(() => [history.evalStep, history.dice, history.auprc], [history]);
  if (history.step.length === 0) return null;
  return (
    <div className="charts">
      <UPlotChart options={LOSS_OPTIONS} optionsKey="loss" data={lossData} height={150} label="Training and validation loss per step" />
      {history.evalStep.length > 0 && (
        <UPlotChart options={METRIC_OPTIONS} optionsKey="metrics" data={metricData} height={130} label="Validation DICE and AUPRC per evaluation" />
      )}
    </div>
  );
}
