// A dated series (one value per calendar date: questionnaire totals, MME/day) as a uPlot line with
// optional threshold lines (response, remission), always followed by the same data as a table
// for screen readers and for reading exact values.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Plot, type Threshold } from './Plot';

export interface DatedPoint {
  date: string; // YYYY-MM-DD
  value: number;
}

const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });

export function dayLabel(date: string): string {
  const t = Date.parse(date + 'T12:00:00Z');
  return Number.isNaN(t) ? date : DAY.format(new Date(t));
}

export function DatedSeries({
  label,
  points,
  yLabel,
  yMax,
  thresholds = [],
  color = '#1d4f6e',
}: {
  label: string;
  points: DatedPoint[];
  yLabel: string;
  yMax?: number;
  thresholds?: Threshold[];
  color?: string;
}) {
  const data = useMemo<uPlot.AlignedData>(
    () => [points.map((p) => Date.parse(p.date + 'T12:00:00Z') / 1000), points.map((p) => p.value)],
    [points],
  );
  const top = useMemo(() => {
    const values = [...points.map((p) => p.value), ...thresholds.map((t) => t.value)];
    return yMax ?? Math.max(1, ...values) * 1.1;
  }, [points, thresholds, yMax]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: {
        x: {
          time: true,
          // One reading still gets a readable axis (a day either side).
          range: (_u, min, max) => (min === max ? [min - 86400, max + 86400] : [min, max]),
        },
        y: { range: [0, top] },
      },
      axes: [
        {
          incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400],
          values: (_u: uPlot, splits: number[]) => splits.map((s) => DAY.format(new Date(s * 1000))),
        },
        { label: yLabel },
      ],
      series: [{}, { label: yLabel, stroke: color, width: 2, points: { size: 7 } }],
      legend: { show: false },
    }),
    [top, yLabel, color],
  );
  return <Plot label={label} options={options} data={data} thresholds={thresholds} />;
}
