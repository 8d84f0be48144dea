// Predicted concentration curves (minutes from the start of dosing -> ng/mL): plasma and, when the
// model has one, effect site, with an optional population 5-95 % band (filled between the 5th and
// 95th percentile curves). Labelled as model predictions wherever shown; the caller gives the text
// summary beside it.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Plot } from './Plot';

export interface Curve {
  times_min: number[];
  plasma: number[];
  effect: number[] | null;
  /** Plasma percentiles on the same times (null where not computed). */
  band?: { p5: (number | null)[]; p95: (number | null)[] } | null;
}

export function CurvePlot({ label, curve, height = 260 }: { label: string; curve: Curve; height?: number }) {
  const hasEffect = curve.effect !== null;
  const hasBand = !!curve.band;
  const data = useMemo<uPlot.AlignedData>(() => {
    const cols: (number | null)[][] = [curve.times_min, curve.plasma];
    if (curve.effect) cols.push(curve.effect);
    if (curve.band) cols.push(curve.band.p95, curve.band.p5);
    return cols as uPlot.AlignedData;
  }, [curve]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const series: uPlot.Series[] = [
      {},
      { label: 'Plasma (predicted)', stroke: '#1d4f6e', width: 2 },
      ...(hasEffect ? [{ label: 'Effect site (predicted)', stroke: '#a0522d', width: 2, dash: [8, 4] }] : []),
      ...(hasBand
        ? [
            { label: 'Population 95th percentile', stroke: '#7d93a3', width: 1 },
            { label: 'Population 5th percentile', stroke: '#7d93a3', width: 1 },
          ]
        : []),
    ];
    const hi = hasEffect ? 3 : 2;
    return {
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        { label: 'Minutes from the start', values: (_u: uPlot, splits: number[]) => splits.map((s) => String(Math.round(s))) },
        { label: 'Predicted ng/mL', size: 60 },
      ],
      series,
      bands: hasBand ? [{ series: [hi, hi + 1], fill: 'rgba(29, 79, 110, 0.14)' }] : [],
      legend: { show: true },
    };
  }, [hasEffect, hasBand]);
  return <Plot label={label} options={options} data={data} height={height} />;
}
