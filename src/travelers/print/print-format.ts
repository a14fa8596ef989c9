import type { PrintSubStep } from '../traveler-print.service.js';

/** How the printed traveler writes times, hours, limits and statuses. */

const pad = (n: number) => String(n).padStart(2, '0');

/** Server-local time: the shop's clock, as on the floor. */
export function formatTime(value: Date | null): string {
  if (!value) return '';
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())} ${pad(value.getHours())}:${pad(value.getMinutes())}`;
}

export const formatHours = (hours: number) => hours.toFixed(2);

const decimalsOf = (n: number) => (String(n).split('.')[1] ?? '').length;

/** Limits are printed with the same number of decimals, the tolerance's precision. */
function limitDecimals(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit'>): number {
  return Math.max(sub.lower_limit === null ? 0 : decimalsOf(sub.lower_limit), sub.upper_limit === null ? 0 : decimalsOf(sub.upper_limit));
}

const withUnit = (text: string, unit: string | null) => (unit ? `${text} ${unit}` : text);

export function formatSpec(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit' | 'unit'>): string {
  const d = limitDecimals(sub);
  const { lower_limit: lo, upper_limit: hi } = sub;
  if (lo !== null && hi !== null) return withUnit(`${lo.toFixed(d)} – ${hi.toFixed(d)}`, sub.unit);
  if (lo !== null) return withUnit(`≥ ${lo.toFixed(d)}`, sub.unit);
  if (hi !== null) return withUnit(`≤ ${hi.toFixed(d)}`, sub.unit);
  return '';
}

/** A measurement is shown to at least the limits' precision, never rounded below what was stored. */
export function formatMeasured(sub: Pick<PrintSubStep, 'lower_limit' | 'upper_limit' | 'unit' | 'measured_value'>): string {
  if (sub.measured_value === null) return '';
  return withUnit(sub.measured_value.toFixed(Math.max(limitDecimals(sub), decimalsOf(sub.measured_value))), sub.unit);
}

export const statusLabel = (status: string) => status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ');
