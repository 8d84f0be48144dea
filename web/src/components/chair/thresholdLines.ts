// Threshold lines on a uPlot chart (in the manner of Grafana's UPlotThresholds draw hook): dashed
// lines clipped to the plot area, each labelled at its right end; a label that would overprint
// the one above it is left out (every line is also listed in words under the chart).
import uPlot from 'uplot';
import type { Threshold } from '../chart/Plot';

export function drawThresholds(lines: Threshold[]) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = uPlot.pxRatio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.font = `${11 * px}px sans-serif`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    const placed: number[] = [];
    const sorted = [...lines].sort((a, b) => b.value - a.value);
    for (const t of sorted) {
      const y = Math.round(u.valToPos(t.value, 'y', true));
      if (y < top || y > top + height) continue;
      ctx.strokeStyle = t.color;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.lineWidth = 1.5 * px;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
      if (placed.every((p) => Math.abs(p - y) >= 13 * px)) {
        const text = t.label;
        const w = ctx.measureText(text).width;
        ctx.fillStyle = 'rgba(255,255,255,0.85)';
        ctx.fillRect(left + width - w - 6 * px, y - 13 * px, w + 4 * px, 12 * px);
        ctx.fillStyle = t.color;
        ctx.fillText(text, left + width - 4 * px, y - 1 * px);
        placed.push(y);
      }
    }
    ctx.restore();
  };
}
