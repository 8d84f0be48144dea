// A uPlot chart as a Preact component, in the manner of Grafana's Plot.tsx: the chart is created
// on mount, rebuilt only when its options change, given new data with setData otherwise, resized
// with its box, and destroyed on unmount. Threshold lines are drawn in a draw hook.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Threshold {
  value: number;
  label: string;
  color: string;
}

export interface PlotProps {
  /** What the chart shows, for screen readers (the data is also given as a table beside it). */
  label: string;
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height?: number;
  thresholds?: Threshold[];
}

export function thresholdHook(thresholds: Threshold[]) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    ctx.save();
    for (const t of thresholds) {
      const y = Math.round(u.valToPos(t.value, 'y', true));
      ctx.strokeStyle = t.color;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 2 * uPlot.pxRatio;
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = t.color;
      // uPlot leaves the axes' alignment on the context: labels start at the plot's left edge.
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.font = `${12 * uPlot.pxRatio}px sans-serif`;
      ctx.fillText(t.label, u.bbox.left + 4 * uPlot.pxRatio, y - 4 * uPlot.pxRatio);
    }
    ctx.restore();
  };
}

export function Plot({ label, options, data, height = 240, thresholds = [] }: PlotProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      ...options,
      width: Math.max(200, el.clientWidth),
      height,
      hooks: { ...options.hooks, draw: [...(options.hooks?.draw ?? []), thresholdHook(thresholds)] },
    };
    chart.current = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
    // Rebuilt only when the options change; data goes through setData below.
  }, [options, height, thresholds]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div class="plot" ref={box} role="img" aria-label={label} />;
}
