import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { planCachedQuery } from '../db/plan-cached-reads.js';
import { recordTitles, referenceTargets, titleKey, type RecordRef } from './record-titles.js';

/**
 * The history of one record as people read it: its changes newest first, each with who made it,
 * when, from where, and the fields that changed with their labels, references named. A traveler's
 * history also holds the changes to what belongs to it (its steps and their checks, manual steps,
 * labor), including children deleted since: those are found in the audit trail itself, so a
 * deleted manual step still shows up with what it was.
 */

/** Person-readable names, from the panel's resource labels (the service does not know AdminJS). */
export interface RecordDescriber {
  tableLabel(table: string): string;
  fieldLabel(table: string, field: string): string;
}

export interface HistoryOptions {
  describe?: RecordDescriber;
  /** IP address and user agent are for audit reviewers only. */
  includeNetwork?: boolean;
  /** Child tables the reader may not read are left out. */
  canReadTable?: (table: string) => boolean;
  /** Changes (not rows) to return; older ones are reported as existing. */
  limit?: number;
}

export interface FieldChange {
  field: string;
  label: string;
  old: string | null;
  new: string | null;
  /** The referenced records when the field is a reference (the raw ids stay in old/new). */
  oldRef?: RecordRef;
  newRef?: RecordRef;
  /** A secret (the password): only the fact that it changed is recorded and shown. */
  secret?: true;
}

export interface HistoryActor {
  kind: string;
  id: number | null;
  username: string;
  name: string | null;
  email: string | null;
}

export interface HistoryEntry {
  changeId: string;
  /** ISO timestamp, database clock. */
  at: string;
  action: 'create' | 'update' | 'delete';
  /** What the change is about: the record itself or one of its children. */
  record: RecordRef & { tableLabel: string; isSubject: boolean };
  actor: HistoryActor;
  ipAddress?: string | null;
  userAgent?: string | null;
  requestId: string | null;
  approvalId: number | null;
  /** For a change applied by an approval: the decider's electronic signature. */
  signature?: ApprovalSignature;
  changes: FieldChange[];
}

export interface ApprovalSignature {
  name: string;
  meaning: string;
  /** ISO timestamp. */
  signedAt: string | null;
}

export interface RecordHistory {
  subject: RecordRef & { tableLabel: string };
  entries: HistoryEntry[];
  limit: number;
  /** True when changes older than the last entry exist and were left out. */
  olderEntriesExist: boolean;
  includesNetwork: boolean;
}

export const DEFAULT_HISTORY_LIMIT = 200;
const MAX_HISTORY_LIMIT = 1000;
const CHANGE_ACTIONS = ['create', 'update', 'delete'];
const DAY_MS = 24 * 60 * 60 * 1000;

interface ChildSpec {
  table: string;
  /** The column of the child that points at its parent. */
  key: string;
  children?: ChildSpec[];
}

/** What a record's history includes besides the record itself. */
const HISTORY_CHILDREN: Record<string, ChildSpec[]> = {
  travelers: [
    { table: 'traveler_steps', key: 'traveler_id', children: [{ table: 'traveler_sub_steps', key: 'traveler_step_id' }] },
    { table: 'manual_steps', key: 'traveler_id' },
    { table: 'labor_entries', key: 'traveler_id' },
  ],
};

const SECRET_FIELDS = new Set(['password']);

/** A field's label; the password row stands for the hash, whose form label ("New password") would mislead. */
export function auditFieldLabel(describe: RecordDescriber, table: string, field: string): string {
  return field === 'password' ? 'Password' : describe.fieldLabel(table, field);
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

const plainDescriber: RecordDescriber = {
  tableLabel: (table) => table,
  fieldLabel: (_table, field) => field,
};

/**
 * The span of time a record's audit rows can lie in: from the day before it was created (see
 * historySince) to a day from now, widened to whole months (the audit partitions' bounds). The
 * searches below write it into their text, with the table names, and bind only record ids: they
 * are prepared once per connection with generic plans (see db/plan-cached-reads.ts), planned
 * over exactly the partitions of that span. Months before the record, and the months ahead that
 * db:maintain creates in advance and that hold nothing yet, are never planned or read.
 */
interface HistoryWindow {
  /** Inclusive; null when the record is gone and its creation unknown: every partition. */
  since: Date | null;
  /** Exclusive. */
  until: Date;
}

const literal = (value: string) => pg.escapeLiteral(value);

function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

function historyWindow(since: Date | null): HistoryWindow {
  const soon = monthStart(new Date(Date.now() + DAY_MS));
  return { since: since && monthStart(since), until: new Date(Date.UTC(soon.getUTCFullYear(), soon.getUTCMonth() + 1, 1)) };
}

function windowSql(window: HistoryWindow, column: string): string {
  const lower = window.since ? ` AND ${column} >= ${literal(window.since.toISOString())}::timestamptz` : '';
  return `${lower} AND ${column} < ${literal(window.until.toISOString())}::timestamptz`;
}

/**
 * Ids of the children of the given parents, now or ever, for every child table of one level in a
 * single query: the live rows, and every record of the child tables whose audit rows ever set the
 * parent key to one of the parents. Looking at new values suffices: a child only ever had a
 * parent that its creation or an update set, and it is what the partial index
 * audit_logs_parent_key_idx serves. The audit rows of all the level's tables are read in one
 * scan (one plan over the partitions, not one per table), and matched to their tables here.
 */
async function childIdsOfLevel(sequelize: Sequelize, specs: ChildSpec[], parentIds: string[], window: HistoryWindow): Promise<Map<string, string[]>> {
  const found = new Map<string, Set<string>>();
  if (parentIds.length === 0 || specs.length === 0) return new Map();
  const numeric = parentIds.filter((id) => /^\d{1,18}$/.test(id));
  const keyOf = new Map(specs.map((spec) => [spec.table, spec.key]));
  const live = specs.map(
    (spec) => `SELECT ${literal(spec.table)}::text AS t, id::text AS id, NULL::text AS k FROM ${quote(spec.table)} WHERE ${quote(spec.key)} = ANY($1::bigint[])`,
  );
  const rows = await planCachedQuery<{ t: string; id: string; k: string | null }>(
    sequelize,
    `${live.join(' UNION ALL ')}
     UNION ALL
     SELECT DISTINCT table_name, record_id, field_name FROM audit_logs
      WHERE table_name IN (${[...keyOf.keys()].map(literal).join(', ')}) AND field_name IN (${[...new Set(keyOf.values())].map(literal).join(', ')})
        AND action IN (${CHANGE_ACTIONS.map(literal).join(', ')}) AND new_value = ANY($2::text[])${windowSql(window, 'occurred_at')}`,
    [numeric, parentIds],
  );
  for (const row of rows) {
    // An audit row of one table's parent key says nothing about a table whose key is another.
    if (row.k !== null && keyOf.get(row.t) !== row.k) continue;
    if (!found.has(row.t)) found.set(row.t, new Set());
    found.get(row.t)!.add(row.id);
  }
  return new Map([...found].map(([t, ids]) => [t, [...ids]]));
}

async function historyKeys(
  sequelize: Sequelize,
  table: string,
  recordId: string,
  canReadTable: (table: string) => boolean,
  window: HistoryWindow,
): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>([[table, [recordId]]]);
  // Level by level: the children of every table of a level are found in one round trip.
  let level: Array<{ specs: ChildSpec[]; parentIds: string[] }> = [{ specs: HISTORY_CHILDREN[table] ?? [], parentIds: [recordId] }];
  while (level.length) {
    const next: typeof level = [];
    for (const { specs, parentIds } of level) {
      const readable = specs.filter((spec) => canReadTable(spec.table));
      const found = await childIdsOfLevel(sequelize, readable, parentIds, window);
      for (const spec of readable) {
        const ids = found.get(spec.table) ?? [];
        if (ids.length === 0) continue;
        keys.set(spec.table, [...(keys.get(spec.table) ?? []), ...ids]);
        if (spec.children?.length) next.push({ specs: spec.children, parentIds: ids });
      }
    }
    level = next;
  }
  return keys;
}

/**
 * Nothing about a record (or its children, made after it) can be older than the record: its
 * history is read only from the audit partitions since the day before it was created, so a
 * record of this month does not search years of partitions. The day absorbs any difference
 * between the app's clock (created_at) and the database's (occurred_at). A record that is gone
 * has no creation time here: its history is searched in full.
 */
async function historySince(sequelize: Sequelize, table: string, id: string): Promise<Date | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const rows = await sequelize
    .query<{ since: Date | null }>(`SELECT created_at - interval '1 day' AS since FROM ${quote(table)} WHERE id = $1::bigint`, { bind: [id], type: QueryTypes.SELECT })
    .catch(() => []);
  return rows[0]?.since ?? null;
}

interface AuditRow {
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

/**
 * The newest `limit + 1` changes touching any of the keys (one more than asked, to know whether
 * older ones exist), then their rows. Each table's ids are one index lookup on
 * audit_logs_record_idx per partition, joined laterally from a list of (table, ids): PostgreSQL
 * plans one parameterised scan per partition, where an OR of the tables planned a bitmap of
 * several per partition, and planning is what a History costs most. All rows of a change share
 * its transaction's occurred_at.
 */
async function changeRows(sequelize: Sequelize, keys: Map<string, string[]>, limit: number, window: HistoryWindow): Promise<{ rows: AuditRow[]; more: boolean }> {
  const values: unknown[] = [];
  const list = [...keys].map(([table, ids]) => {
    values.push(ids);
    return `(${literal(table)}::text, $${values.length}::text[])`;
  });
  values.push(limit + 1);
  const rows = await planCachedQuery<AuditRow>(
    sequelize,
    `WITH keys (table_name, ids) AS (VALUES ${list.join(', ')}),
     touched AS (
       SELECT a.* FROM keys k
        CROSS JOIN LATERAL (
          SELECT * FROM audit_logs a
           WHERE a.table_name = k.table_name AND a.record_id = ANY(k.ids)
             AND a.action IN (${CHANGE_ACTIONS.map(literal).join(', ')})${windowSql(window, 'a.occurred_at')}
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
  );
  const changeIds: string[] = [];
  for (const row of rows) if (changeIds[changeIds.length - 1] !== row.change_id) changeIds.push(row.change_id);
  if (changeIds.length <= limit) return { rows, more: false };
  const keep = new Set(changeIds.slice(0, limit));
  return { rows: rows.filter((r) => keep.has(r.change_id)), more: true };
}

/** The signatures of the approvals that applied some of the entries (one query for all). */
async function approvalSignatures(sequelize: Sequelize, entries: HistoryEntry[]): Promise<Map<number, ApprovalSignature>> {
  const ids = [...new Set(entries.map((e) => e.approvalId).filter((id): id is number => id !== null).map(Number))];
  if (ids.length === 0) return new Map();
  const rows = await sequelize.query<{ id: number; signature_name: string; signature_meaning: string; signed_at: Date | null }>(
    `SELECT id, signature_name, signature_meaning, signed_at FROM approvals
      WHERE id = ANY($1::int[]) AND signature_name IS NOT NULL`,
    { bind: [ids], type: QueryTypes.SELECT },
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      { name: r.signature_name, meaning: r.signature_meaning, signedAt: r.signed_at ? new Date(r.signed_at).toISOString() : null },
    ]),
  );
}

export async function recordHistory(
  sequelize: Sequelize,
  tableName: string,
  recordId: string | number,
  options: HistoryOptions = {},
): Promise<RecordHistory> {
  const id = String(recordId);
  const describe = options.describe ?? plainDescriber;
  const includeNetwork = options.includeNetwork ?? false;
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULT_HISTORY_LIMIT)), MAX_HISTORY_LIMIT);

  const window = historyWindow(await historySince(sequelize, tableName, id));
  const keys = await historyKeys(sequelize, tableName, id, options.canReadTable ?? (() => true), window);
  const { rows, more } = await changeRows(sequelize, keys, limit, window);

  // Everything to name: the records the entries are about, and every referenced id.
  const references = new Map<string, Map<string, string>>();
  const referencesFor = (table: string) => {
    if (!references.has(table)) references.set(table, referenceTargets(sequelize, table));
    return references.get(table)!;
  };
  const wanted: Array<{ table: string; id: string }> = [{ table: tableName, id }];
  for (const row of rows) {
    wanted.push({ table: row.table_name, id: row.record_id });
    const target = referencesFor(row.table_name).get(row.field_name);
    if (target && row.old_value !== null) wanted.push({ table: target, id: row.old_value });
    if (target && row.new_value !== null) wanted.push({ table: target, id: row.new_value });
  }
  const titles = await recordTitles(sequelize, wanted);
  const titleOf = (table: string, ref: string) => titles.get(titleKey(table, ref))!;

  const entries: HistoryEntry[] = [];
  for (const row of rows) {
    let entry = entries[entries.length - 1];
    if (!entry || entry.changeId !== row.change_id) {
      entry = {
        changeId: row.change_id,
        at: new Date(row.occurred_at).toISOString(),
        action: row.action,
        record: {
          ...titleOf(row.table_name, row.record_id),
          tableLabel: describe.tableLabel(row.table_name),
          isSubject: row.table_name === tableName && row.record_id === id,
        },
        actor: { kind: row.actor_kind, id: row.actor_id, username: row.actor_username, name: row.actor_name, email: row.actor_email },
        ...(includeNetwork && { ipAddress: row.ip_address, userAgent: row.user_agent }),
        requestId: row.request_id,
        approvalId: row.approval_id,
        changes: [],
      };
      entries.push(entry);
    }
    // A record's own id, set at creation, is what the entry is about already.
    if (row.field_name === 'id' && (row.new_value ?? row.old_value) === row.record_id) continue;
    const target = referencesFor(row.table_name).get(row.field_name);
    const secret = SECRET_FIELDS.has(row.field_name);
    entry.changes.push({
      field: row.field_name,
      label: auditFieldLabel(describe, row.table_name, row.field_name),
      old: row.old_value,
      new: row.new_value,
      ...(target && row.old_value !== null && { oldRef: titleOf(target, row.old_value) }),
      ...(target && row.new_value !== null && { newRef: titleOf(target, row.new_value) }),
      ...(secret && { secret: true as const }),
    });
  }

  const signatures = await approvalSignatures(sequelize, entries);
  for (const entry of entries) {
    const signature = entry.approvalId === null ? undefined : signatures.get(Number(entry.approvalId));
    if (signature) entry.signature = signature;
  }

  return {
    subject: { ...titleOf(tableName, id), tableLabel: describe.tableLabel(tableName) },
    entries,
    limit,
    olderEntriesExist: more,
    includesNetwork: includeNetwork,
  };
}
