import { Op, type WhereOptions } from 'sequelize';
import type { AuditLog } from '../models/index.js';
import { BadQueryError } from '../shared/bad-query-error.js';

/**
 * What a reviewer may narrow the audit trail by, said once for the panel's list and for the CSV
 * export, so that an export holds exactly the rows the list showed. Matching is exact (the
 * stock adapter would match record 1 against 10, 11, 21 with LIKE '%1%'), and a value that
 * cannot be meant is refused rather than ignored: an export that silently drops a filter would
 * hand out more than was asked for.
 */
export interface AuditLogFilter {
  table_name?: string;
  record_id?: string;
  actor_id?: number;
  action?: string;
  field_name?: string;
  /** occurred_at >= from */
  occurred_from?: Date;
  /** occurred_at <= to */
  occurred_to?: Date;
}

export class AuditFilterError extends BadQueryError {
  override name = 'AuditFilterError';
}

const TEXT_FILTERS = { table_name: 63, record_id: 64, action: 32, field_name: 63 } as const;

/**
 * Flattens nested query objects to dotted keys: Express (qs) gives `filters.x=1` as a flat key
 * but `filters[x]=1` as an object; AdminJS's Filter gives `{ occurred_at: { from, to } }`.
 */
function flatten(value: unknown, prefix: string, into: Record<string, unknown>): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into[prefix] = value;
  }
  return into;
}

function single(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) throw new AuditFilterError(`Filter ${key} was given more than once`);
  if (value instanceof Date) return value.toISOString();
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

function timestamp(key: string, text: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new AuditFilterError(`Filter ${key} is not a date: ${text.slice(0, 40)}`);
  return date;
}

/**
 * Reads filters given as the panel's list sends them, without the `filters.` prefix:
 * `table_name`, `record_id`, `actor_id`, `action`, `field_name`, and `occurred_at~~from` /
 * `occurred_at~~to` (also accepted as `occurred_at.from` / `.to`).
 */
export function parseAuditLogFilter(raw: Record<string, unknown>): AuditLogFilter {
  const filter: AuditLogFilter = {};
  for (const [rawKey, rawValue] of Object.entries(flatten(raw, '', {}))) {
    const key = rawKey.replace('~~', '.');
    const value = single(key, rawValue);
    if (value === undefined) continue;
    if (key in TEXT_FILTERS) {
      const max = TEXT_FILTERS[key as keyof typeof TEXT_FILTERS];
      if (value.length > max) throw new AuditFilterError(`Filter ${key} is longer than ${max} characters`);
      filter[key as keyof typeof TEXT_FILTERS] = value;
    } else if (key === 'actor_id') {
      if (!/^\d{1,9}$/.test(value)) throw new AuditFilterError(`Filter actor_id must be a user id, not ${value.slice(0, 40)}`);
      filter.actor_id = Number(value);
    } else if (key === 'occurred_at.from') {
      filter.occurred_from = timestamp(key, value);
    } else if (key === 'occurred_at.to') {
      filter.occurred_to = timestamp(key, value);
    } else {
      throw new AuditFilterError(`The audit trail cannot be filtered by ${key.slice(0, 63)}`);
    }
  }
  return filter;
}

/** The `filters.*` parameters of a query string (the rest, such as page or sortBy, is not a filter). */
export function auditLogFilterFromQuery(query: Record<string, unknown>): AuditLogFilter {
  const filters: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key === 'filters') Object.assign(filters, flatten(value, '', {}));
    else if (key.startsWith('filters.')) filters[key.slice('filters.'.length)] = value;
  }
  return parseAuditLogFilter(filters);
}

export function auditLogWhere(filter: AuditLogFilter): WhereOptions<AuditLog> {
  const where: Record<string | symbol, unknown> = {};
  for (const key of ['table_name', 'record_id', 'actor_id', 'action', 'field_name'] as const) {
    if (filter[key] !== undefined) where[key] = filter[key];
  }
  if (filter.occurred_from || filter.occurred_to) {
    where.occurred_at = {
      ...(filter.occurred_from && { [Op.gte]: filter.occurred_from }),
      ...(filter.occurred_to && { [Op.lte]: filter.occurred_to }),
    };
  }
  return where as WhereOptions<AuditLog>;
}

/** The filter as recorded in the export event: plain JSON a reviewer can read. */
export function describeAuditLogFilter(filter: AuditLogFilter): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined) out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}
