import { QueryTypes, type Sequelize } from 'sequelize';
import { formatDate, formatDateTime, formatDecimal, formatYesNo, isTimeZone, significantDecimals, startCase } from '../shared/value-format.js';
import { modelForTable } from '../models/index.js';

/**
 * The audit trail keeps every value as the text PostgreSQL gave it ("true", "25.4000",
 * "2026-03-14T09:05:12.123+00:00", "in_progress"). The audit views (History, the audit log, the
 * CSV) show them as people read them, with the formats of shared/value-format.ts: this file knows
 * which column is what, from the Sequelize models, and how precisely each measurement is given.
 */

/** Labels of fixed values (statuses, roles), as the panel's resources give them. */
export interface ValueLabels {
  valueLabel?(table: string, field: string, value: string): string | undefined;
}

/**
 * The shop's time zone, in which every time is written: TZ when it names an IANA zone (as in the
 * container: TZ=Europe/Berlin), else the zone the process runs in — the zone the printed traveler
 * uses too.
 */
export function shopTimeZone(): string {
  const configured = process.env.TZ?.replace(/^:/, '');
  if (configured && isTimeZone(configured)) return configured;
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

type Kind = { kind: 'boolean' } | { kind: 'datetime' } | { kind: 'date' } | { kind: 'decimal'; scale: number } | { kind: 'other' };

/**
 * Columns whose decimals are those of the check's limits, not of the column: a limit of 25.40
 * is stored as 25.4000 but given, and read, to two decimals ("measurements at their scale").
 */
const MEASURED: Record<string, readonly string[]> = {
  sub_steps: ['lower_limit', 'upper_limit'],
  traveler_sub_steps: ['lower_limit', 'upper_limit', 'measured_value'],
};
const LIMITS = ['lower_limit', 'upper_limit'] as const;

const kindsByTable = new WeakMap<Sequelize, Map<string, Map<string, Kind>>>();

function kindsOf(sequelize: Sequelize, table: string): Map<string, Kind> {
  let tables = kindsByTable.get(sequelize);
  if (!tables) kindsByTable.set(sequelize, (tables = new Map()));
  let kinds = tables.get(table);
  if (kinds) return kinds;
  kinds = new Map();
  const model = modelForTable(sequelize, table);
  for (const [field, attribute] of Object.entries(model?.getAttributes() ?? {})) {
    const type = attribute.type as unknown as { key?: string; options?: { scale?: number } };
    const key = type?.key;
    if (key === 'BOOLEAN') kinds.set(field, { kind: 'boolean' });
    else if (key === 'DATE') kinds.set(field, { kind: 'datetime' });
    else if (key === 'DATEONLY') kinds.set(field, { kind: 'date' });
    else if (key === 'DECIMAL') kinds.set(field, { kind: 'decimal', scale: type.options?.scale ?? 0 });
  }
  tables.set(table, kinds);
  return kinds;
}

export function isMeasured(table: string, field: string): boolean {
  return MEASURED[table]?.includes(field) ?? false;
}

const KEY = /^\d{1,18}$/;
const precisionKey = (table: string, id: string) => `${table}:${id}`;

/**
 * How many decimals the measurements of each given check are read to: those of its limits (the
 * tolerance's precision), from the live rows, plus any limit values the caller saw in the audit
 * trail (a check deleted since, or limits changed since). One query for all.
 */
export async function measurementPrecisions(
  sequelize: Sequelize,
  records: Array<{ table: string; id: string }>,
  seenLimits: Array<{ table: string; id: string; value: string | null }> = [],
): Promise<Map<string, number>> {
  const precisions = new Map<string, number>();
  const raise = (key: string, value: string | null) => {
    if (value === null) return;
    precisions.set(key, Math.max(precisions.get(key) ?? 0, significantDecimals(value)));
  };
  const byTable = new Map<string, Set<string>>();
  for (const { table, id } of records) {
    if (!(table in MEASURED) || !KEY.test(id)) continue;
    if (!byTable.has(table)) byTable.set(table, new Set());
    byTable.get(table)!.add(id);
  }
  if (byTable.size) {
    const bind: unknown[] = [];
    const selects = [...byTable].map(([table, ids]) => {
      bind.push([...ids]);
      return `SELECT '${table}'::text AS t, id::text AS id, lower_limit::text AS lo, upper_limit::text AS hi FROM "${table}" WHERE id = ANY($${bind.length}::bigint[])`;
    });
    const rows = await sequelize.query<{ t: string; id: string; lo: string | null; hi: string | null }>(selects.join(' UNION ALL '), {
      bind,
      type: QueryTypes.SELECT,
    });
    for (const row of rows) {
      raise(precisionKey(row.t, row.id), row.lo);
      raise(precisionKey(row.t, row.id), row.hi);
    }
  }
  for (const seen of seenLimits) raise(precisionKey(seen.table, seen.id), seen.value);
  return precisions;
}

export function precisionOf(precisions: Map<string, number>, table: string, id: string): number | undefined {
  return precisions.get(precisionKey(table, id));
}

/** Whether an audit row's field is a limit, whose value tells a measurement's precision. */
export function isLimitField(table: string, field: string): boolean {
  return table in MEASURED && (LIMITS as readonly string[]).includes(field);
}

/**
 * A stored value as people read it: a status by its label, Yes/No, a time in the shop's zone, a
 * decimal at its scale (a measurement at its limits' precision). References are named by the
 * callers (record-titles.ts); anything else is shown as stored.
 */
export function readableValue(
  sequelize: Sequelize,
  labels: ValueLabels,
  timeZone: string,
  table: string,
  field: string,
  value: string | null,
  precision?: number,
): string | null {
  if (value === null) return null;
  const label = labels.valueLabel?.(table, field, value);
  if (label !== undefined) return label;
  const kind = kindsOf(sequelize, table).get(field);
  switch (kind?.kind) {
    case 'boolean':
      return formatYesNo(value);
    case 'datetime':
      return formatDateTime(value, timeZone);
    case 'date':
      return formatDate(value);
    case 'decimal':
      return formatDecimal(value, isMeasured(table, field) ? (precision ?? 0) : kind.scale);
    default:
      return value;
  }
}

/** A fixed value's label the way the panel's badges write it ("in progress" → "In progress"). */
export function badgeLabel(label: string): string {
  return startCase(label);
}
