import pg from 'pg';
import type { HistoryFilter } from './audit-history.types.js';
import { windowSql, type HistoryWindow } from './audit-history.window.js';
import { UNRECORDED_FROM_SQL } from './audit-record-months.js';
import type { ChildSpec } from './record-family.js';

/**
 * The statements a History runs, built here and run by the service. Those over audit_logs go
 * through planCachedQuery: prepared once per connection with generic plans (see
 * db/plan-cached-reads.ts). A generic plan is only as good as what its text says, so the time
 * window and the table names are written into the text as literals and only ids and filter
 * values are bound.
 */
export interface Statement {
  text: string;
  values: unknown[];
}

export const CHANGE_ACTIONS = ['create', 'update', 'delete'];

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const literal = (value: string) => pg.escapeLiteral(value);
const changeActions = () => CHANGE_ACTIONS.map(literal).join(', ');

/**
 * Where a record's History starts. Nothing about a record (or its children, made after it) can be
 * older than the record: `since`, the day before it was made (the day absorbs any difference
 * between the app's clock, created_at, and the database's, occurred_at), null for an id that is
 * not a number or a record that is gone. And `unrecorded_from` (see audit-record-months.ts).
 * Run as an ordinary query: it reads no partition.
 */
export function historyStartStatement(table: string, id: string): Statement {
  if (!/^\d{1,18}$/.test(id)) return { text: `SELECT NULL::timestamptz AS since, ${UNRECORDED_FROM_SQL}`, values: [] };
  return {
    text: `SELECT (SELECT created_at - interval '1 day' FROM ${quote(table)} WHERE id = $1::bigint) AS since, ${UNRECORDED_FROM_SQL}`,
    values: [id],
  };
}

export interface HistoryStartRow {
  since: Date | null;
  unrecorded_from: Date | null;
}

/**
 * A child found by childIdsStatement (`t`, `id`; `k` the audited parent key, null for a live
 * row), or a month audit_record_months lists for what is looked up about the children found
 * (`month`, YYYY-MM-DD, and the lookup's `purpose`).
 */
export interface ChildIdRow {
  t: string | null;
  id: string | null;
  k: string | null;
  month: string | null;
  purpose: MonthPurpose | null;
}

/** 'own': the children's own changes; 'link': the changes that made them parents of the next level. */
export type MonthPurpose = 'own' | 'link';

/** Months to look up for the children of table `of` found: those of audit rows of `table` whose `field` is one of their ids. */
export interface FoundMonths {
  of: string;
  table: string;
  field: string;
  purpose: MonthPurpose;
}

/**
 * Ids of the children of the given parents, now or ever, for every child table of one level in a
 * single query: the live rows, and every record of the child tables whose audit rows ever set the
 * parent key to one of the parents. Looking at new values suffices: a child only ever had a
 * parent that its creation or an update set, and it is what the partial index
 * audit_logs_parent_key_idx serves. The audit rows of all the level's tables are read in one
 * scan (one plan over the partitions, not one per table); an audit row of one table's key names
 * the key (`k`), for the caller to drop those of a table whose key is another. In the same round
 * trip, the months `lookups` asks for about the children found (the searches that follow need
 * them written into their text).
 */
export function childIdsStatement(specs: ChildSpec[], parentIds: string[], window: HistoryWindow, lookups: FoundMonths[] = []): Statement {
  const numeric = parentIds.filter((id) => /^\d{1,18}$/.test(id));
  const tables = [...new Set(specs.map((spec) => spec.table))];
  const keys = [...new Set(specs.map((spec) => spec.key))];
  const live = specs.map(
    (spec) =>
      `SELECT ${literal(spec.table)}::text AS t, id::text AS id, NULL::text AS k FROM ${quote(spec.table)} WHERE ${quote(spec.key)} = ANY($1::bigint[])`,
  );
  const found = `${live.join(' UNION ALL ')}
     UNION ALL
     SELECT DISTINCT table_name, record_id, field_name FROM audit_logs
      WHERE table_name IN (${tables.map(literal).join(', ')}) AND field_name IN (${keys.map(literal).join(', ')})
        AND action IN (${changeActions()}) AND new_value = ANY($2::text[])${windowSql(window, 'occurred_at')}`;
  if (lookups.length === 0) return { text: found, values: [numeric, parentIds] };
  const pairs = specs.map((spec) => `(${literal(spec.table)}, ${literal(spec.key)})`);
  const asked = lookups.map((l) => `(${[l.of, l.table, l.field, l.purpose].map(literal).join(', ')})`);
  return {
    text: `WITH found (t, id, k) AS (${found}),
     kept AS (
       SELECT DISTINCT f.t, f.id FROM found f
         JOIN (VALUES ${pairs.join(', ')}) AS s (t, key) ON s.t = f.t AND (f.k IS NULL OR f.k = s.key)
     ), lookups (of_table, table_name, key_field, purpose) AS (VALUES ${asked.join(', ')})
     SELECT t, id, k, NULL::text AS month, NULL::text AS purpose FROM found
     UNION ALL
     SELECT DISTINCT NULL, NULL, NULL, to_char(m.month, 'YYYY-MM-DD'), l.purpose
       FROM lookups l
       JOIN kept ON kept.t = l.of_table
       JOIN audit_record_months m ON m.table_name = l.table_name AND m.key_field = l.key_field AND m.key_value = kept.id`,
    values: [numeric, parentIds],
  };
}

export interface AuditRow {
  id: string;
  change_id: string;
  occurred_at: Date;
  action: 'create' | 'update' | 'delete';
  table_name: string;
  record_id: string;
  field_name: string;
  old_value: string | null;
  new_value: string | null;
  actor_kind: string;
  actor_id: number | null;
  actor_username: string;
  actor_name: string | null;
  actor_email: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  approval_id: number | null;
}

/** The (table, ids) list the searches start from, each table's ids bound. */
function keysSql(keys: Map<string, string[]>, values: unknown[]): string {
  const list = [...keys].map(([table, ids]) => {
    values.push(ids);
    return `(${literal(table)}::text, $${values.length}::text[])`;
  });
  return `WITH keys (table_name, ids) AS (VALUES ${list.join(', ')})`;
}

/**
 * The rows of the newest `limit + 1` changes touching any of the keys (one more than asked, to
 * know whether older ones exist), newest first; null when there are no keys. Each table's ids
 * are one index lookup on audit_logs_record_idx per partition, joined laterally from a list of
 * (table, ids): PostgreSQL plans one parameterised scan per partition, where an OR of the tables
 * planned a bitmap of several per partition, and planning is what a History costs most. All
 * rows of a change share its transaction's occurred_at.
 */
export function changeRowsStatement(keys: Map<string, string[]>, limit: number, window: HistoryWindow, filter: HistoryFilter): Statement | null {
  if (keys.size === 0) return null;
  const values: unknown[] = [];
  const withKeys = keysSql(keys, values);
  // A filter narrows the rows searched, bound as values: the statement's text (and its cached
  // plan) varies only with which filters are given, not with what they say.
  let narrowed = '';
  const bind = (value: unknown, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  if (filter.field) narrowed += ` AND a.field_name = ${bind(filter.field.name, 'text')}`;
  if (filter.user)
    narrowed += 'id' in filter.user ? ` AND a.actor_id = ${bind(filter.user.id, 'int')}` : ` AND a.actor_username = ${bind(filter.user.username, 'text')}`;
  if (filter.from) narrowed += ` AND a.occurred_at >= ${bind(filter.from.toISOString(), 'timestamptz')}`;
  if (filter.to) narrowed += ` AND a.occurred_at < ${bind(filter.to.toISOString(), 'timestamptz')}`;
  values.push(limit + 1);
  return {
    text: `${withKeys},
     touched AS (
       SELECT a.* FROM keys k
        CROSS JOIN LATERAL (
          SELECT * FROM audit_logs a
           WHERE a.table_name = k.table_name AND a.record_id = ANY(k.ids)
             AND a.action IN (${changeActions()})${windowSql(window, 'a.occurred_at')}${narrowed}
        ) a
     ), changes AS (
       SELECT change_id, max(occurred_at) AS at, max(id) AS last_id
         FROM touched GROUP BY change_id
        ORDER BY at DESC, last_id DESC
        LIMIT $${values.length}
     )
     SELECT t.id::text AS id, t.change_id::text AS change_id, t.occurred_at, t.action, t.table_name, t.record_id,
            t.field_name, t.old_value, t.new_value, t.actor_kind, t.actor_id, t.actor_username, t.actor_name,
            t.actor_email, host(t.ip_address) AS ip_address, t.user_agent, t.request_id, t.approval_id
       FROM touched t JOIN changes c ON c.change_id = t.change_id
      ORDER BY c.at DESC, c.last_id DESC, t.field_name`,
    values,
  };
}

/** A field some change touched, or a person who made one. */
export interface FacetRow {
  facet: 'field' | 'user';
  table_name: string | null;
  field_name: string | null;
  actor_kind: string | null;
  actor_id: number | null;
  actor_username: string | null;
  actor_name: string | null;
}

/** The fields and the people of a whole History, for its filter controls: one scan of its rows. */
export function facetsStatement(keys: Map<string, string[]>, window: HistoryWindow): Statement {
  const values: unknown[] = [];
  return {
    text: `${keysSql(keys, values)},
     touched AS (
       SELECT a.table_name, a.field_name, a.actor_kind, a.actor_id, a.actor_username, a.actor_name, a.occurred_at FROM keys k
        CROSS JOIN LATERAL (
          SELECT * FROM audit_logs a
           WHERE a.table_name = k.table_name AND a.record_id = ANY(k.ids)
             AND a.action IN (${changeActions()})${windowSql(window, 'a.occurred_at')}
        ) a
     )
     SELECT 'field' AS facet, table_name, field_name, NULL::text AS actor_kind, NULL::int AS actor_id, NULL::text AS actor_username, NULL::text AS actor_name
       FROM touched WHERE field_name <> 'id' GROUP BY table_name, field_name
     UNION ALL
     SELECT 'user', NULL, NULL, actor_kind, actor_id, actor_username, (array_agg(actor_name ORDER BY occurred_at DESC))[1]
       FROM touched GROUP BY actor_kind, actor_id, actor_username`,
    values,
  };
}

export interface SignatureRow {
  id: number;
  signature_name: string;
  signature_meaning: string;
  signed_at: Date | null;
}

/** The signatures of the given approvals, those that were signed. */
export function approvalSignaturesStatement(approvalIds: number[]): Statement {
  return {
    text: `SELECT id, signature_name, signature_meaning, signed_at FROM approvals
      WHERE id = ANY($1::int[]) AND signature_name IS NOT NULL`,
    values: [approvalIds],
  };
}
