import type { DashboardSummary } from '../../../dashboard/dashboard.service.js';
import { listUrl } from '../panel-urls.js';

// The shape sent by the dashboard handler (src/dashboard/dashboard.service.ts).
export type Summary = DashboardSummary;

export type Labor = Summary['laborThisWeek'][number];

// The design system's palette (theme.ts), spelled out because SVG attributes do not read the theme.
export const COLOR = {
  text: '#0C1E29',
  muted: '#898A9A',
  grid: '#EEEEEF',
  primary: '#3040D6',
  estimate: '#BBC3CB',
  warning: '#A14F17',
  error: '#C20012',
};
export const STATUS_COLOR: Record<string, string> = {
  draft: '#898A9A',
  released: '#6483F8',
  in_progress: '#3040D6',
  on_hold: '#A14F17',
  completed: '#007D7F',
  cancelled: '#BBC3CB',
};

export const statusLabel = (status: string) => {
  const text = status.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};
export const hours = (n: number) => `${Number(n.toFixed(2))} h`;
export const isOver = (c: Labor) => c.actual_hours > c.estimated_hours;
export const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const travelersOfStatus = (status: string) => listUrl('travelers', `filters.status=${encodeURIComponent(status)}`);
// Each tile opens its list filtered to exactly what it counted: the same SQL, named (src/dashboard/tile-filters.ts).
export const LATE_TRAVELERS_HREF = listUrl('travelers', 'filters.late=true&sortBy=due_date&direction=asc');
export const OPEN_WORK_ORDERS_HREF = listUrl('work_orders', 'filters.open=true&sortBy=due_date&direction=asc');
