import { QueryTypes, type Sequelize } from 'sequelize';
import { modelForTable } from '../models/index.js';
import { RECORD_NAMES } from '../tables/record-names.js';
import { historyWindow, recordedWindow, windowSql, type HistoryWindow } from './audit-history.window.js';
import { recordedMonths, unrecordedFrom } from './audit-record-months.js';

/**
 * How the audit views name records (tables/record-names.ts, `audit`): from the record's own
 * columns (and, while it exists, its parent's name), so that a record deleted since can still be
 * named from the values the audit trail last recorded for it.
 */
const titleSpec = (table: string) => RECORD_NAMES[table]?.audit;

export interface RecordRef {
  table: string;
  id: string;
  /** What to show: the title, or "#12 (deleted)" and the like. */
  title: string;
  exists: boolean;
}

const KEY = /^\d{1,18}$/;
const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

function refOf(table: string, id: string, exists: boolean, title: string | null): RecordRef {
  if (exists) return { table, id, exists, title: title ?? `#${id}` };
  return { table, id, exists, title: title ? `${title} (#${id}, deleted)` : `#${id} (deleted)` };
}

/**
 * Names the given records of one table in two queries at most: the live rows, then the audit
 * trail's last recorded values for those that no longer exist.
 */
/**
 * Titles of many records of many tables in two round trips: one query for the live rows of
 * every table (a UNION ALL), and one for the last known values of those since deleted, from the
 * audit trail. A History page names dozens of records; a query per table added up.
 */
export async function recordTitles(sequelize: Sequelize, records: Array<{ table: string; id: string }>): Promise<Map<string, RecordRef>> {
  const byTable = new Map<string, Set<string>>();
  for (const { table, id } of records) {
    if (!byTable.has(table)) byTable.set(table, new Set());
    byTable.get(table)!.add(id);
  }
  const all = new Map<string, RecordRef>();
  const keyOf = (table: string, id: string) => `${table}:${id}`;
  const bind: unknown[] = [];
  const selects: string[] = [];
  for (const [table, ids] of byTable) {
    const spec = titleSpec(table);
    const keys = [...ids].filter((id) => KEY.test(id));
    if (!spec || keys.length === 0) {
      for (const id of ids) all.set(keyOf(table, id), { table, id, exists: true, title: `#${id}` });
      continue;
    }
    bind.push(keys);
    const columns = [
      ...spec.fields.map((f) => `'${f}', ${quote(f)}::text`),
      ...Object.entries(spec.live ?? {}).map(([name, sql]) => `'${name}', (${sql})::text`),
    ];
    const values = columns.length ? `json_build_object(${columns.join(', ')})` : `'{}'::json`;
    selects.push(`SELECT '${table}'::text AS t, id::text AS id, ${values} AS v FROM ${quote(table)} WHERE id = ANY($${bind.length}::bigint[])`);
  }
  if (selects.length) {
    const live = await sequelize.query<{ t: string; id: string; v: Record<string, string | null> }>(selects.join(' UNION ALL '), {
      bind,
      type: QueryTypes.SELECT,
    });
    for (const row of live) all.set(keyOf(row.t, row.id), refOf(row.t, row.id, true, titleSpec(row.t)!.format(row.v, row.id)));
  }

  // Records no longer there: their last values, as the audit trail kept them.
  const gone: Array<{ table: string; id: string }> = [];
  for (const [table, ids] of byTable) for (const id of ids) if (!all.has(keyOf(table, id)) && KEY.test(id)) gone.push({ table, id });
  const known = new Map<string, Record<string, string | null>>();
  const withFields = gone.filter((g) => titleSpec(g.table)!.fields.length > 0);
  if (withFields.length) {
    const window = await goneWindow(sequelize, withFields);
    const last = await sequelize.query<{ table_name: string; record_id: string; field_name: string; value: string | null }>(
      `SELECT DISTINCT ON (a.table_name, a.record_id, a.field_name) a.table_name, a.record_id, a.field_name,
              CASE WHEN a.action = 'delete' THEN a.old_value ELSE a.new_value END AS value
         FROM audit_logs a
         JOIN unnest($1::text[], $2::text[]) AS g(table_name, record_id) ON g.table_name = a.table_name AND g.record_id = a.record_id
        WHERE a.action IN ('create', 'update', 'delete')${windowSql(window, 'a.occurred_at')}
        ORDER BY a.table_name, a.record_id, a.field_name, a.occurred_at DESC, a.id DESC`,
      { bind: [withFields.map((g) => g.table), withFields.map((g) => g.id)], type: QueryTypes.SELECT },
    );
    for (const row of last) {
      if (!titleSpec(row.table_name)!.fields.includes(row.field_name)) continue;
      const key = keyOf(row.table_name, row.record_id);
      known.set(key, { ...known.get(key), [row.field_name]: row.value });
    }
  }
  for (const { table, id } of gone) {
    const key = keyOf(table, id);
    all.set(key, refOf(table, id, false, known.has(key) ? titleSpec(table)!.format(known.get(key)!, id) : null));
  }
  for (const [table, ids] of byTable) for (const id of ids) if (!all.has(keyOf(table, id))) all.set(keyOf(table, id), refOf(table, id, false, null));
  return all;
}

/**
 * The months that can hold the audit rows of records since deleted (audit-record-months.ts):
 * written into the search's text, its plan looks into those partitions only, not every month's.
 */
async function goneWindow(sequelize: Sequelize, gone: Array<{ table: string; id: string }>): Promise<HistoryWindow> {
  const byTable = new Map<string, string[]>();
  for (const { table, id } of gone) byTable.set(table, [...(byTable.get(table) ?? []), id]);
  const [months, from] = await Promise.all([
    recordedMonths(
      sequelize,
      [...byTable].map(([table, values]) => ({ table, field: 'id', values })),
    ),
    unrecordedFrom(sequelize),
  ]);
  return recordedWindow(historyWindow(null, new Date()), months.own, from);
}

export function titleKey(table: string, id: string): string {
  return `${table}:${id}`;
}

/** Reference columns of a table, from the Sequelize model: field → referenced table. */
export function referenceTargets(sequelize: Sequelize, table: string): Map<string, string> {
  const refs = new Map<string, string>();
  const model = modelForTable(sequelize, table);
  if (!model) return refs;
  for (const [field, attribute] of Object.entries(model.getAttributes())) {
    const references = attribute.references;
    if (!field.endsWith('_id') || !references) continue;
    const target = typeof references === 'string' ? references : references.model;
    const targetTable = typeof target === 'string' ? target : (target as { tableName?: string } | undefined)?.tableName;
    if (targetTable) refs.set(field, targetTable);
  }
  return refs;
}
