/**
 * A check's limits as people read them, in one wording for every screen, refusal and approval:
 * "9.98 to 10.02 mm", "at least 5 mm", "at most 0.8 µm". This module imports nothing, so that
 * the panel's components bundle it as they are (the printed traveler keeps its own symbols and
 * fixed decimals: paper has a column for them).
 */

/** A limit as the caller holds it: a number, the text of a decimal, or nothing (null, undefined or ''). */
export type LimitValue = number | string | null | undefined;

const present = (value: LimitValue): value is number | string => value !== null && value !== undefined && value !== '';

/** The limits in words, with the unit; '' when the check has neither limit. */
export function formatLimits(lower: LimitValue, upper: LimitValue, unit: string | null | undefined): string {
  const withUnit = unit ? ` ${unit}` : '';
  if (present(lower) && present(upper)) return `${lower} to ${upper}${withUnit}`;
  if (present(lower)) return `at least ${lower}${withUnit}`;
  if (present(upper)) return `at most ${upper}${withUnit}`;
  return '';
}
