// Grouped bars over named categories, each bar with an optional interval drawn as a whisker (a 95 %
// Wilson interval, an interquartile range). uPlot keeps the scales, axes, legend and resizing (the
// Plot component); the bars and whiskers are drawn in a draw hook, so categories are plain indices
// 0..n-1 on the x scale. The caller gives the same numbers as a table beside the chart.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { Plot } from './Plot';
import './chart.css';

/** A legend in HTML (uPlot's own lists every helper series and its cursor value). */
export function ChartLegend({ items }: { items: { label: string; color: string; band?: boolean }[] }) {
  if (items.length === 0) return null;
  return (
    <ul class="chart-legend">
      {items.map((i) => (
        <li key={i.label}>
          <span class={'chart-swatch' + (i.band ? ' chart-swatch-band' : '')} style={{ background: i.color }} aria-hidden="true" />
          {i.label}
        </li>
      ))}
    </ul>
  );
}

export interface BarSeries {
  label: string;
  color: string;
  values: (number | null)[];
  lower?: (number | null)[];
  upper?: (number | null)[];
}

export interface BarIntervalPlotProps {
  label: string;
  categories: string[];
  series: BarSeries[];
  yLabel: string;
  /** Fixed y range (e.g. [0, 100] for percentages); otherwise from the data, always with 0. */
  yRange?: [number, number];
  height?: number;
  /** How a y tick is written (defaults to the number as uPlot writes it). */
  yTick?: (v: number) => string;
}

export function drawBars(series: BarSeries[]) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const n = series.length;
    const px = window.devicePixelRatio || 1;
    const slot = Math.abs(u.valToPos(1, 'x', true) - u.valToPos(0, 'x', true));
    const width = Math.min((slot * 0.7) / n, 48 * px);
    const zero = u.valToPos(0, 'y', true);
    ctx.save();
    series.forEach((s, k) => {
      s.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) return;
        const centre = u.valToPos(i, 'x', true) + (k - (n - 1) / 2) * width;
        const top = u.valToPos(v, 'y', true);
        ctx.fillStyle = s.color;
        ctx.fillRect(centre - width / 2 + px, Math.min(top, zero), width - 2 * px, Math.abs(zero - top));
        const lo = s.lower?.[i];
        const hi = s.upper?.[i];
        if (lo !== null && lo !== undefined && hi !== null && hi !== undefined) {
          const y0 = u.valToPos(lo, 'y', true);
          const y1 = u.valToPos(hi, 'y', true);
          const cap = Math.max(3 * px, width / 4);
          ctx.strokeStyle = '#1b1b1b';
          ctx.lineWidth = 1.5 * px;
          ctx.beginPath();
          ctx.moveTo(centre, y0);
          ctx.lineTo(centre, y1);
          ctx.moveTo(centre - cap, y0);
          ctx.lineTo(centre + cap, y0);
          ctx.moveTo(centre - cap, y1);
          ctx.lineTo(centre + cap, y1);
          ctx.stroke();
        }
      });
    });
    ctx.restore();
  };
}

export function BarIntervalPlot({ label, categories, series, yLabel, yRange, height = 240, yTick }: BarIntervalPlotProps) {
  const data = useMemo<uPlot.AlignedData>(
    () => [categories.map((_, i) => i), ...series.map((s) => s.values)] as uPlot.AlignedData,
    [categories, series],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    let lo = 0;
    let hi = 1;
    for (const s of series) {
      for (const arr of [s.values, s.lower ?? [], s.upper ?? []]) {
        for (const v of arr) {
          if (v !== null && v !== undefined && Number.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      }
    }
    const pad = (hi - lo) * 0.08;
    const range: [number, number] = yRange ?? [lo < 0 ? lo - pad : 0, hi + pad];
    const n = categories.length;
    return {
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, n - 0.5)] }, y: { range } },
      axes: [
        {
          splits: () => categories.map((_, i) => i),
          values: (_u: uPlot, splits: number[]) => splits.map((i) => categories[i] ?? ''),
          gap: 6,
        },
        { label: yLabel, size: 56, ...(yTick ? { values: (_u: uPlot, splits: number[]) => splits.map(yTick) } : {}) },
      ],
      // The series carry the legend; the bars themselves are drawn by the hook.
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, fill: s.color, paths: () => null, points: { show: false } }))],
      hooks: { draw: [drawBars(series)] },
      legend: { show: false },
      cursor: { show: false },
    };
  }, [categories, series, yLabel, yRange, yTick]);
  return (
    <>
      <Plot label={label} options={options} data={data} height={height} />
      {series.length > 1 && <ChartLegend items={series.map((s) => ({ label: s.label, color: s.color }))} />}
    </>
  );
}
