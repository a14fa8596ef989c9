import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { planCachedQuery } from '../db/plan-cached-reads.js';

/**
 * Where the audit trail holds a record's changes: the months audit_record_months lists (kept by
 * the sealer, see its migration), so that a search of them reads those months' partitions only.
 * What the table does not list yet (rows not sealed yet) lies from `unrecorded_from` on.
 */

/**
 * The parent keys by whose values audit_record_months records the changes that set them (its
 * migration's list): a search by any other key is not narrowed.
 */
export const RECORDED_PARENT_KEYS: readonly string[] = ['traveler_id', 'traveler_step_id'];

/** Audit rows of `table` whose `field` is one of `values` ('id': the records' own changes). */
export interface MonthKey {
  table: string;
  field: string;
  values: string[];
}

/**
 * The earliest time an audit row that audit_record_months does not list yet can carry, as a
 * column of a SELECT: null while the table was never brought up to date.
 */
export const UNRECORDED_FROM_SQL = '(SELECT recorded_at - audit_clock_tolerance() FROM audit_record_months_progress) AS unrecorded_from';

const literal = (value: string) => pg.escapeLiteral(value);

/**
 * The months (as YYYY-MM-DD, UTC) that audit_record_months lists for any of the keys, one index
 * lookup per key; `own` for the records' own changes (field 'id'), not for a parent key's.
 */
export function recordedMonthsStatement(keys: MonthKey[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const list = keys.map(({ table, field, values: keyValues }) => {
    values.push(keyValues);
    return `(${literal(table)}::text, ${literal(field)}::text, $${values.length}::text[])`;
  });
  return {
    text: `WITH keys (table_name, key_field, key_values) AS (VALUES ${list.join(', ')})
     SELECT DISTINCT k.key_field = 'id' AS own, to_char(m.month, 'YYYY-MM-DD') AS month FROM keys k
      CROSS JOIN LATERAL (
        SELECT month FROM audit_record_months m
         WHERE m.table_name = k.table_name AND m.key_field = k.key_field AND m.key_value = ANY(k.key_values)
      ) m`,
    values,
  };
}

/** Months listed for records' own changes, and for parent keys' (null when a parent key is one the table does not list). */
export interface RecordedMonths {
  own: Date[];
  link: Date[] | null;
}

/** A month as the lookups return it (YYYY-MM-DD), as its first instant in UTC. */
export const monthOf = (month: string) => new Date(`${month}T00:00:00.000Z`);

/** The months audit_record_months lists for the keys, in one round trip (none when no key has a value). */
export async function recordedMonths(sequelize: Sequelize, keys: MonthKey[]): Promise<RecordedMonths> {
  const searched = keys.filter((key) => key.values.length > 0);
  if (searched.length === 0) return { own: [], link: [] };
  const { text, values } = recordedMonthsStatement(searched);
  const rows = await planCachedQuery<{ own: boolean; month: string }>(sequelize, text, values);
  return {
    own: rows.filter((row) => row.own).map((row) => monthOf(row.month)),
    link: keys.every((key) => key.field === 'id' || RECORDED_PARENT_KEYS.includes(key.field))
      ? rows.filter((row) => !row.own).map((row) => monthOf(row.month))
      : null,
  };
}

/** See UNRECORDED_FROM_SQL. */
export async function unrecordedFrom(sequelize: Sequelize): Promise<Date | null> {
  const [row] = await sequelize.query<{ unrecorded_from: Date | null }>(`SELECT ${UNRECORDED_FROM_SQL}`, { type: QueryTypes.SELECT });
  return row?.unrecorded_from ?? null;
}
