// Predicted concentration curves (minutes from the start of dosing -> ng/mL): plasma and, when the
// model has one, effect site, with an optional 5-95 % band. Labelled as model predictions wherever
// shown; the caller gives the text summary beside it.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Plot } from './Plot';

export interface Curve {
  times_min: number[];
  plasma: number[];
  effect: number[] | null;
}

export function CurvePlot({ label, curve, height = 260 }: { label: string; curve: Curve; height?: number }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const cols: (number | null)[][] = [curve.times_min, curve.plasma];
    if (curve.effect) cols.push(curve.effect);
    return cols as uPlot.AlignedData;
  }, [curve]);
  const hasEffect = curve.effect !== null;
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { label: 'Minutes from the start', values: (_u: uPlot, splits: number[]) => splits.map((s) => String(Math.round(s))) },
        { label: 'Predicted ng/mL', size: 60 },
      ],
      series: [
        {},
        { label: 'Plasma (predicted)', stroke: '#1d4f6e', width: 2 },
        ...(hasEffect ? [{ label: 'Effect site (predicted)', stroke: '#a0522d', width: 2, dash: [8, 4] }] : []),
      ],
      legend: { show: true },
    }),
    [hasEffect],
  );
  return <Plot label={label} options={options} data={data} height={height} />;
}
