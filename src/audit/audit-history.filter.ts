import type { Sequelize } from 'sequelize';
import { BadQueryError } from '../shared/bad-query-error.js';
import { startOfDayIn } from '../shared/value-format.js';
import { modelForTable } from '../models/index.js';
import type { HistoryFilter, RecordDescriber, RecordHistory } from './audit-history.types.js';
import { shopTimeZone } from './audit-values.js';

/**
 * What a History may be narrowed to, read from the page's query and checked against the record's
 * family. Every part narrows; none can reach another record.
 */

export const MAX_HISTORY_LIMIT = 1000;

/** A filter the History cannot apply: answered 400 with this reason. */
export class HistoryFilterError extends BadQueryError {
  override name = 'HistoryFilterError';
}

function fieldsOf(sequelize: Sequelize, table: string): Set<string> {
  const model = modelForTable(sequelize, table);
  return new Set(Object.keys(model?.getAttributes() ?? {}));
}

/** A field filter names a field of a table this History shows, or it is refused: nothing else is reachable. */
export function checkFieldFilter(sequelize: Sequelize, describe: RecordDescriber, tables: string[], field: NonNullable<HistoryFilter['field']>): void {
  const subject = describe.tableLabel(tables[0]!);
  if (field.table !== undefined && !tables.includes(field.table)) {
    throw new HistoryFilterError(`The history of ${subject.toLowerCase()} holds no ${field.table.replace(/_/g, ' ')}: filter by one of its own fields`);
  }
  const searched = field.table === undefined ? tables : [field.table];
  if (!searched.some((table) => fieldsOf(sequelize, table).has(field.name))) {
    throw new HistoryFilterError(`The history of ${subject.toLowerCase()} has no field "${field.name}"`);
  }
}

const FILTER_PARAMS = ['field', 'user', 'from', 'to', 'limit'];
// Far from any day the shop will work in, whatever the clock says: a year 20 or 20260 is a typo.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(3000, 0, 1);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** A day in the shop's zone (from its start, to its end) or an exact time with its zone. */
function filterMoment(key: 'from' | 'to', value: string, timeZone: string): Date {
  let at: Date | null;
  if (DAY.test(value)) {
    at = startOfDayIn(value, timeZone);
    if (!at) throw new HistoryFilterError(`Filter ${key} is not a day of the calendar: ${value}`);
    // "to" a day includes that day.
    if (key === 'to') at = startOfDayIn(nextDay(value), timeZone);
  } else if (MOMENT.test(value)) {
    at = new Date(value);
    if (Number.isNaN(at.getTime())) throw new HistoryFilterError(`Filter ${key} is not a time: ${value.slice(0, 40)}`);
    if (key === 'to') at = new Date(at.getTime() + 1);
  } else {
    throw new HistoryFilterError(`Filter ${key} must be a day (2026-03-14) or a time with its zone (2026-03-14T09:00:00+01:00), not "${value.slice(0, 40)}"`);
  }
  if (!at || at.getTime() < EARLIEST || at.getTime() > LATEST) throw new HistoryFilterError(`Filter ${key} must lie between the years 1970 and 2999`);
  return at;
}

/**
 * Reads the History's filters from a query (?field=status&user=12&from=2026-03-01&to=2026-03-31
 * &limit=50). Days are the shop's days. Anything it does not understand is refused with the
 * reason, never ignored: a filter silently dropped would show more than was asked for.
 */
export function parseHistoryFilter(query: Record<string, unknown>, timeZone: string = shopTimeZone()): { filter: HistoryFilter; limit?: number } {
  const filter: HistoryFilter = {};
  let limit: number | undefined;
  for (const [key, raw] of Object.entries(query)) {
    if (!FILTER_PARAMS.includes(key)) {
      throw new HistoryFilterError(`History cannot be filtered by "${key.slice(0, 40)}": use ${FILTER_PARAMS.join(', ')}`);
    }
    if (raw !== undefined && typeof raw !== 'string') throw new HistoryFilterError(`Filter ${key} was given more than once`);
    const value = (raw ?? '').trim();
    if (value === '') continue;
    if (key === 'field') {
      const match = /^(?:([a-z][a-z0-9_]{0,62})\.)?([a-z][a-z0-9_]{0,62})$/.exec(value);
      if (!match) throw new HistoryFilterError(`Filter field must name a field ("status", "traveler_steps.status"), not "${value.slice(0, 40)}"`);
      filter.field = match[1] ? { table: match[1], name: match[2]! } : { name: match[2]! };
    } else if (key === 'user') {
      if (/^\d{1,9}$/.test(value)) filter.user = { id: Number(value) };
      else if (/^system:[\w.:-]{1,60}$/.test(value)) filter.user = { username: value };
      else throw new HistoryFilterError(`Filter user must be a user id or a system name ("system:seeder"), not "${value.slice(0, 40)}"`);
    } else if (key === 'from' || key === 'to') {
      filter[key] = filterMoment(key, value, timeZone);
    } else if (key === 'limit') {
      const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= MAX_HISTORY_LIMIT)) throw new HistoryFilterError(`limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`);
      limit = n;
    }
  }
  if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) {
    throw new HistoryFilterError('Filter from must be before to');
  }
  return { filter, ...(limit !== undefined && { limit }) };
}

/** The filter applied, as the page sends it back. */
export function filterEcho(filter: HistoryFilter): RecordHistory['filter'] {
  return {
    ...(filter.field && { field: filter.field.table ? `${filter.field.table}.${filter.field.name}` : filter.field.name }),
    ...(filter.user && { user: 'id' in filter.user ? String(filter.user.id) : filter.user.username }),
    ...(filter.from && { from: filter.from.toISOString() }),
    ...(filter.to && { to: filter.to.toISOString() }),
  };
}
