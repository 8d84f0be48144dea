// One formatting function for every quantity on every screen and printout, following ISMP's list
// of error-prone abbreviations, symbols and dose designations (docs/reference/pharmacology.md §11):
//   - a leading zero below one: 0.5 mg, never .5 mg;
//   - no trailing zero after a whole number: 35 mg, never 35.0 mg;
//   - thousands separators at or above 1,000: 1,200 mL/h;
//   - units written mg, mcg, mL, mL/h, units: never µg, cc, U or IU (the Unit type admits no other
//     spelling).
// The number and its unit are joined by a no-break space, so they never wrap apart.

/** The units a quantity may carry, spelled the ISMP way. */
export type Unit =
  | 'mg'
  | 'mcg'
  | 'g'
  | 'mL'
  | 'L'
  | 'mL/h'
  | 'mg/kg'
  | 'mg/kg/h'
  | 'mg/h'
  | 'mg/min'
  | 'mg/mL'
  | 'mcg/mL'
  | 'ng/mL'
  | 'kg'
  | 'cm'
  | 'min'
  | 'h'
  | 'mmHg'
  | 'bpm'
  | 'breaths/min'
  | '%'
  | 'units'
  | 'MME/day';

/** Decimals shown at most, per unit (trailing zeros are then dropped). */
const MAX_DECIMALS: Record<Unit, number> = {
  mg: 2,
  mcg: 1,
  g: 3,
  mL: 2,
  L: 3,
  'mL/h': 1, // pumps are programmed to 0.1 mL/h
  'mg/kg': 3,
  'mg/kg/h': 3,
  'mg/h': 2,
  'mg/min': 3,
  'mg/mL': 2,
  'mcg/mL': 3,
  'ng/mL': 0,
  kg: 1,
  cm: 0,
  min: 0,
  h: 1,
  mmHg: 0,
  bpm: 0,
  'breaths/min': 0,
  '%': 0,
  units: 0,
  'MME/day': 1,
};

export const NO_VALUE = '—';
const NBSP = '\u00a0';

export interface QuantityOptions {
  /** Overrides the unit's usual number of decimals (the most shown; trailing zeros still go). */
  maxDecimals?: number;
}

/** The number alone, ISMP style: "0.5", "35", "1,200", "12.25". */
export function formatNumber(value: number, maxDecimals: number): string {
  if (!Number.isFinite(value)) return NO_VALUE;
  const decimals = Math.max(0, Math.min(6, Math.floor(maxDecimals)));
  // Round half up on the decimal digits as written (70.55 -> 70.6), not on the binary value
  // (70.55.toFixed(1) is "70.5").
  const rounded = Number(Math.round(Number(`${Math.abs(value)}e${decimals}`)) + `e-${decimals}`);
  let text = (Number.isFinite(rounded) ? rounded : Math.abs(value)).toFixed(decimals);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  const negative = value < 0 && /[1-9]/.test(text);
  const [whole = '0', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '-' : '') + grouped + (fraction ? '.' + fraction : '');
}

/** A quantity with its unit: formatQuantity(0.5, 'mg/kg') -> "0.5 mg/kg" (no-break space). */
export function formatQuantity(
  value: number | null | undefined,
  unit: Unit,
  options: QuantityOptions = {},
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const decimals = options.maxDecimals ?? MAX_DECIMALS[unit];
  const number = formatNumber(value, decimals);
  return unit === '%' ? number + '%' : number + NBSP + unit;
}
