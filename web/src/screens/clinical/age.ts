// Whole years of age on a calendar date, as the server checks a screening's `age_years` against
// the record's date of birth (docs/screening-schema.md `record.age_years`: whole years on the
// clinic's date).

/** Whole years between a date of birth and a calendar date (both "YYYY-MM-DD"). */
export function wholeYears(dob: string, on: string): number {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = on.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}
