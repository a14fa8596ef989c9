import pg from 'pg';
import type { HistoryFilter } from './audit-history.types.js';

/**
 * The time a History's search covers, written into the search's text as whole-month literals
 * (the audit partitions' bounds), so that a generic plan covers exactly those partitions: months
 * before the record, the months ahead that db:maintain creates in advance and that hold nothing
 * yet, and the months between in which none of the searched records changed are never planned or
 * read.
 */
export interface HistoryWindow {
  /** Inclusive: the month before the record was made; null when the record is gone and its creation unknown. */
  since: Date | null;
  /** Exclusive: the month after the one a day from now. */
  until: Date;
  /**
   * Within since..until, the only months (first days, UTC) that can hold the searched rows: those
   * audit_record_months records for the searched keys, and every month from the earliest time a
   * row not recorded yet can carry. Null: every month of since..until.
   */
  months: Date[] | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

function nextMonth(month: Date): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
}

/**
 * From the day before the record was made (see historyStartStatement) to a day from now (the
 * database's clock may run ahead of the app's), widened to whole months.
 */
export function historyWindow(since: Date | null, now: Date): HistoryWindow {
  return { since: since && monthStart(since), until: nextMonth(monthStart(new Date(now.getTime() + DAY_MS))), months: null };
}

/**
 * The window narrowed to the months that hold the searched keys' rows (`recorded`, from
 * audit_record_months) and those from `unrecordedFrom` on, where rows the table does not list yet
 * can lie. Without either (the table was never brought up to date) the window stays whole.
 */
export function recordedWindow(window: HistoryWindow, recorded: Date[] | null, unrecordedFrom: Date | null): HistoryWindow {
  if (!recorded || !unrecordedFrom) return { ...window, months: null };
  const months = recorded.map(monthStart);
  for (let month = monthStart(unrecordedFrom); month < window.until; month = nextMonth(month)) months.push(month);
  return { ...window, months };
}

/** The whole months of the window as ranges, consecutive months joined: a null start is unbounded. */
export function windowRanges(window: HistoryWindow): Array<{ from: Date | null; to: Date }> {
  if (!window.months) return window.since && window.since >= window.until ? [] : [{ from: window.since, to: window.until }];
  const starts = [...new Set(window.months.map((m) => monthStart(m).getTime()))]
    .sort((a, b) => a - b)
    .map((t) => new Date(t))
    .filter((m) => (!window.since || m >= window.since) && m < window.until);
  const ranges: Array<{ from: Date; to: Date }> = [];
  for (const month of starts) {
    const last = ranges[ranges.length - 1];
    if (last && last.to.getTime() === month.getTime()) last.to = nextMonth(month);
    else ranges.push({ from: month, to: nextMonth(month) });
  }
  return ranges;
}

/** The window narrowed to the filter's months, so that only their partitions are planned and read; null when nothing is left. */
export function narrowedWindow(window: HistoryWindow, filter: HistoryFilter): HistoryWindow | null {
  let { since, until } = window;
  if (filter.from) {
    const from = monthStart(filter.from);
    if (!since || from > since) since = from;
  }
  if (filter.to) {
    const to = nextMonth(monthStart(new Date(filter.to.getTime() - 1)));
    if (to < until) until = to;
  }
  const narrowed = { since, until, months: window.months };
  return windowRanges(narrowed).length === 0 ? null : narrowed;
}

const literal = (at: Date) => `${pg.escapeLiteral(at.toISOString())}::timestamptz`;

/** The window as a condition on `column`, to follow other conditions (it starts with AND). */
export function windowSql(window: HistoryWindow, column: string): string {
  const ranges = windowRanges(window).map(({ from, to }) => `${from ? `${column} >= ${literal(from)} AND ` : ''}${column} < ${literal(to)}`);
  if (ranges.length === 0) return ' AND false';
  return ranges.length === 1 ? ` AND ${ranges[0]}` : ` AND (${ranges.join(' OR ')})`;
}
