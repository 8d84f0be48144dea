/** Linear interpolation of (xs, ys) at each of `at` (xs ascending); outside the range: null. */
export function interpolate(xs: number[], ys: number[], at: number[]): (number | null)[] {
  const out: (number | null)[] = [];
  let j = 0;
  for (const x of at) {
    if (xs.length === 0 || x < xs[0]! - 1e-9 || x > xs[xs.length - 1]! + 1e-9) {
      out.push(null);
      continue;
    }
    while (j < xs.length - 2 && xs[j + 1]! < x) j++;
    const x0 = xs[j]!;
    const x1 = xs[Math.min(j + 1, xs.length - 1)]!;
    const y0 = ys[j]!;
    const y1 = ys[Math.min(j + 1, ys.length - 1)]!;
    out.push(x1 === x0 ? y0 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0));
  }
  return out;
}
