// Kaplan-Meier curves (days from the first response -> share still without a confirmed relapse, %)
// as steps, each with its pointwise 95 % band (Greenwood variance, log-log scale: the server's
// numbers, docs/clinical-rules/outcome-analytics.md §1.2) filled behind it. Where the band is
// undefined (before the first event, after the last subject) nothing is filled there.
import { useMemo } from 'preact/hooks';
import uPlot from 'uplot';
import type { KmCurve } from '../../api/analytics';
import { ChartLegend } from './BarIntervalPlot';
import { Plot } from './Plot';

export interface KmSeries {
  label: string;
  color: string;
  band: string;
  curve: KmCurve;
}

/** The curves on one shared day axis: survival steps and their band, in percent. */
export function kmColumns(curves: KmCurve[]): { days: number[]; columns: (number | null)[][] } {
  const days = Array.from(new Set([0, ...curves.flatMap((c) => c.steps.map((s) => s.day))])).sort((a, b) => a - b);
  const columns: (number | null)[][] = [];
  for (const c of curves) {
    const survival: (number | null)[] = [];
    const lower: (number | null)[] = [];
    const upper: (number | null)[] = [];
    let k = -1;
    const last = c.steps.length ? c.steps[c.steps.length - 1]!.day : 0;
    for (const d of days) {
      while (k + 1 < c.steps.length && c.steps[k + 1]!.day <= d) k++;
      const s = k >= 0 ? c.steps[k]! : null;
      // After the curve's last time there is nothing to show (no one left under observation).
      if (d > last) {
        survival.push(null);
        lower.push(null);
        upper.push(null);
        continue;
      }
      survival.push(s ? s.survival * 100 : 100);
      lower.push(s && s.lower !== null ? s.lower * 100 : s ? null : 100);
      upper.push(s && s.upper !== null ? s.upper * 100 : s ? null : 100);
    }
    columns.push(survival, upper, lower);
  }
  return { days, columns };
}

export function KmPlot({ label, series, height = 260 }: { label: string; series: KmSeries[]; height?: number }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const { days, columns } = kmColumns(series.map((s) => s.curve));
    return [days, ...columns] as uPlot.AlignedData;
  }, [series]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const s: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    series.forEach((k, i) => {
      const base = 1 + i * 3;
      s.push({ label: k.label, stroke: k.color, width: 2, paths: stepped, points: { show: false } });
      s.push({ label: `${k.label}: upper 95 % limit`, stroke: 'transparent', paths: stepped, points: { show: false } });
      s.push({ label: `${k.label}: lower 95 % limit`, stroke: 'transparent', paths: stepped, points: { show: false } });
      bands.push({ series: [base + 1, base + 2], fill: k.band });
    });
    return {
      scales: { x: { time: false }, y: { range: [0, 102] } },
      axes: [
        { label: 'Days since the first response', values: (_u: uPlot, splits: number[]) => splits.map((v) => String(Math.round(v))) },
        { label: 'No relapse yet (%)', size: 60 },
      ],
      series: s,
      bands,
      legend: { show: false },
    };
  }, [series]);
  return (
    <>
      <Plot label={label} options={options} data={data} height={height} />
      <ChartLegend
        items={series.flatMap((k) => [
          { label: k.label, color: k.color },
          { label: `${k.label}: 95% band`, color: k.band, band: true },
        ])}
      />
    </>
  );
}
