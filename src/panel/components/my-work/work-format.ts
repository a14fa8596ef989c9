import { formatLimits } from '../../../shared/limits-format.js';
import type { WorkCheck } from '../../../travelers/shop-floor.service.js';

/** A record action on the page: the answer is shown at `at`; true when the server did it. */
export type Act = (at: string, resourceId: string, recordId: number, actionName: string, payload?: Record<string, unknown>) => Promise<boolean>;

export const stepResource = (kind: 'routing' | 'manual') => (kind === 'routing' ? 'traveler_steps' : 'manual_steps');

/** The time alone for a clock-in of the server's today (a terminal's own clock may be wrong). */
export function since(iso: string, asOf: string): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  return d.toDateString() === new Date(asOf).toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

export const limits = (c: WorkCheck) => formatLimits(c.lowerLimit, c.upperLimit, c.unit);

/** Buttons big enough for a gloved finger on a terminal. */
export const big = { fontSize: 18, padding: '14px 22px', minHeight: 52 } as const;
