// Median change from baseline by week since the first infusion, one line per instrument, with the
// interquartile range filled behind it (the server's numbers: docs/clinical-rules/outcome-
// analytics.md §2). Weeks without a reading of an instrument are gaps, not zeros.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Summary } from '../../api/analytics';
import { ChartLegend } from './BarIntervalPlot';
import { Plot } from './Plot';

export interface TrajectorySeries {
  label: string;
  color: string;
  band: string;
  points: { week: number; change: Summary }[];
}

/** Shared weeks, then per series: median, Q3, Q1 (null where the series has no reading). */
export function trajectoryColumns(series: TrajectorySeries[]): { weeks: number[]; columns: (number | null)[][] } {
  const weeks = Array.from(new Set(series.flatMap((s) => s.points.map((p) => p.week)))).sort((a, b) => a - b);
  const columns: (number | null)[][] = [];
  for (const s of series) {
    const at = new Map(s.points.map((p) => [p.week, p.change] as const));
    columns.push(weeks.map((w) => at.get(w)?.median ?? null));
    columns.push(weeks.map((w) => at.get(w)?.q3 ?? null));
    columns.push(weeks.map((w) => at.get(w)?.q1 ?? null));
  }
  return { weeks, columns };
}

export function TrajectoryPlot({ label, series, height = 240 }: { label: string; series: TrajectorySeries[]; height?: number }) {
  const data = useMemo<uPlot.AlignedData>(() => {
    const { weeks, columns } = trajectoryColumns(series);
    return [weeks, ...columns] as uPlot.AlignedData;
  }, [series]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const s: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    series.forEach((t, i) => {
      const base = 1 + i * 3;
      s.push({ label: t.label, stroke: t.color, width: 2, spanGaps: true, points: { show: true, size: 6, fill: t.color } });
      s.push({ label: `${t.label} Q3`, stroke: 'transparent', spanGaps: true, points: { show: false } });
      s.push({ label: `${t.label} Q1`, stroke: 'transparent', spanGaps: true, points: { show: false } });
      bands.push({ series: [base + 1, base + 2], fill: t.band });
    });
    return {
      scales: { x: { time: false } },
      axes: [
        { label: 'Weeks since the first infusion', values: (_u: uPlot, splits: number[]) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        { label: 'Change (points)', size: 56 },
      ],
      series: s,
      bands,
      legend: { show: false },
    };
  }, [series]);
  return (
    <>
      <Plot label={label} options={options} data={data} height={height} />
      <ChartLegend items={series.flatMap((t) => [{ label: `${t.label}: median`, color: t.color }, { label: `${t.label}: middle half of courses`, color: t.band, band: true }])} />
    </>
  );
}
