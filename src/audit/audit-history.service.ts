import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { collapseUserAgent, formatDateTime, startOfDayIn } from '../admin/value-format.js';
import { planCachedQuery } from '../db/plan-cached-reads.js';
import { isLimitField, isMeasured, measurementPrecisions, precisionOf, readableValue, shopTimeZone, type ValueLabels } from './audit-values.js';
import { recordTitles, referenceTargets, titleKey, type RecordRef } from './record-titles.js';

/**
 * The history of one record as people read it: its changes newest first, each with who made it,
 * when, from where, and the fields that changed with their labels, references named. A traveler's
 * history also holds the changes to what belongs to it (its steps and their checks, manual steps,
 * labor), including children deleted since: those are found in the audit trail itself, so a
 * deleted manual step still shows up with what it was.
 */

/** Person-readable names, from the panel's resource labels (the service does not know AdminJS). */
export interface RecordDescriber extends ValueLabels {
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
  /** Only the changes of one field, by one user, in a span of time (parseHistoryFilter). */
  filter?: HistoryFilter;
  /** Also list the fields and users the whole history holds, for the page's filter controls. */
  facets?: boolean;
  /** The zone times are written in; the shop's by default. */
  timeZone?: string;
}

/** What a History may be narrowed to. Every part narrows; none can reach another record. */
export interface HistoryFilter {
  /** One field; of one table of the history when `table` is given ("traveler_steps.status"). */
  field?: { table?: string; name: string };
  /** A person by user id, or a system actor by name ("system:seeder"). */
  user?: { id: number } | { username: string };
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/** A filter the History cannot apply: answered 400 with this reason. */
export class HistoryFilterError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'HistoryFilterError';
  }
}

export interface HistoryFacets {
  /** "table.field" values with their labels, the subject's own fields first. */
  fields: Array<{ value: string; label: string }>;
  /** User ids (or "system:..." names) with the names people know them by. */
  users: Array<{ value: string; label: string }>;
}

export interface FieldChange {
  field: string;
  label: string;
  /** As recorded: the audit trail's text. */
  old: string | null;
  new: string | null;
  /** As people read them: labels, Yes/No, times in the shop's zone, decimals at their scale, titles. */
  oldText: string | null;
  newText: string | null;
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
  /** The same in the shop's zone, as every audit view writes it. */
  atText: string;
  action: 'create' | 'update' | 'delete';
  /** What the change is about: the record itself or one of its children. */
  record: RecordRef & { tableLabel: string; isSubject: boolean };
  actor: HistoryActor;
  ipAddress?: string | null;
  /** The full user agent, and the browser and system it names ("Chrome 156 on Linux"). */
  userAgent?: string | null;
  browser?: string | null;
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
  signedAtText: string | null;
}

export interface RecordHistory {
  subject: RecordRef & { tableLabel: string };
  entries: HistoryEntry[];
  limit: number;
  /** True when changes older than the last entry exist and were left out. */
  olderEntriesExist: boolean;
  includesNetwork: boolean;
  /** The zone the texts' times are in. */
  timeZone: string;
  /** The filter applied, as the page sends it back (field "table.field", user, ISO from/to). */
  filter: { field?: string; user?: string; from?: string; to?: string };
  facets?: HistoryFacets;
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
 * (no row) or an id that is not a number has no creation time here: its history is searched in
 * full. Any other failure (a refused read, a timeout) is raised: caught, it would pass unseen as
 * a slower search of every partition.
 */
async function historySince(sequelize: Sequelize, table: string, id: string): Promise<Date | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const rows = await sequelize.query<{ since: Date | null }>(`SELECT created_at - interval '1 day' AS since FROM ${quote(table)} WHERE id = $1::bigint`, {
    bind: [id],
    type: QueryTypes.SELECT,
  });
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
async function changeRows(
  sequelize: Sequelize,
  keys: Map<string, string[]>,
  limit: number,
  window: HistoryWindow,
  filter: HistoryFilter = {},
): Promise<{ rows: AuditRow[]; more: boolean }> {
  const values: unknown[] = [];
  const list = [...keys].map(([table, ids]) => {
    values.push(ids);
    return `(${literal(table)}::text, $${values.length}::text[])`;
  });
  if (list.length === 0) return { rows: [], more: false };
  // A filter narrows the rows searched, bound as values: the statement's text (and its cached
  // plan) varies only with which filters are given, not with what they say.
  let narrowed = '';
  const bind = (value: unknown, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  if (filter.field) narrowed += ` AND a.field_name = ${bind(filter.field.name, 'text')}`;
  if (filter.user) narrowed += 'id' in filter.user ? ` AND a.actor_id = ${bind(filter.user.id, 'int')}` : ` AND a.actor_username = ${bind(filter.user.username, 'text')}`;
  if (filter.from) narrowed += ` AND a.occurred_at >= ${bind(filter.from.toISOString(), 'timestamptz')}`;
  if (filter.to) narrowed += ` AND a.occurred_at < ${bind(filter.to.toISOString(), 'timestamptz')}`;
  values.push(limit + 1);
  const rows = await planCachedQuery<AuditRow>(
    sequelize,
    `WITH keys (table_name, ids) AS (VALUES ${list.join(', ')}),
     touched AS (
       SELECT a.* FROM keys k
        CROSS JOIN LATERAL (
          SELECT * FROM audit_logs a
           WHERE a.table_name = k.table_name AND a.record_id = ANY(k.ids)
             AND a.action IN (${CHANGE_ACTIONS.map(literal).join(', ')})${windowSql(window, 'a.occurred_at')}${narrowed}
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
async function approvalSignatures(sequelize: Sequelize, entries: HistoryEntry[], timeZone: string): Promise<Map<number, ApprovalSignature>> {
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
      {
        name: r.signature_name,
        meaning: r.signature_meaning,
        signedAt: r.signed_at ? new Date(r.signed_at).toISOString() : null,
        signedAtText: r.signed_at ? formatDateTime(new Date(r.signed_at), timeZone) : null,
      },
    ]),
  );
}

/** Tables whose changes a record's History shows: its own, and its readable children's. */
function historyTables(table: string, canReadTable: (table: string) => boolean): string[] {
  const tables = [table];
  const walk = (specs: ChildSpec[]) => {
    for (const spec of specs) {
      if (!canReadTable(spec.table)) continue;
      tables.push(spec.table);
      walk(spec.children ?? []);
    }
  };
  walk(HISTORY_CHILDREN[table] ?? []);
  return tables;
}

function fieldsOf(sequelize: Sequelize, table: string): Set<string> {
  const model = Object.values(sequelize.models).find((m) => {
    const name = m.getTableName();
    return (typeof name === 'string' ? name : name.tableName) === table;
  });
  return new Set(Object.keys(model?.getAttributes() ?? {}));
}

/** A field filter names a field of a table this History shows, or it is refused: nothing else is reachable. */
function checkFieldFilter(sequelize: Sequelize, describe: RecordDescriber, tables: string[], field: NonNullable<HistoryFilter['field']>): void {
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

/** The window narrowed to the filter's months, so that only their partitions are planned and read. */
function narrowedWindow(window: HistoryWindow, filter: HistoryFilter): HistoryWindow | null {
  let { since, until } = window;
  if (filter.from) {
    const from = monthStart(filter.from);
    if (!since || from > since) since = from;
  }
  if (filter.to) {
    const last = monthStart(new Date(filter.to.getTime() - 1));
    const to = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1));
    if (to < until) until = to;
  }
  return since && since >= until ? null : { since, until };
}

/** The fields and the people of a whole History, for its filter controls: one scan of its rows. */
async function historyFacets(sequelize: Sequelize, keys: Map<string, string[]>, window: HistoryWindow, describe: RecordDescriber, subject: string): Promise<HistoryFacets> {
  const values: unknown[] = [];
  const list = [...keys].map(([table, ids]) => {
    values.push(ids);
    return `(${literal(table)}::text, $${values.length}::text[])`;
  });
  const rows = await planCachedQuery<{ facet: 'field' | 'user'; table_name: string | null; field_name: string | null; actor_kind: string | null; actor_id: number | null; actor_username: string | null; actor_name: string | null }>(
    sequelize,
    `WITH keys (table_name, ids) AS (VALUES ${list.join(', ')}),
     touched AS (
       SELECT a.table_name, a.field_name, a.actor_kind, a.actor_id, a.actor_username, a.actor_name, a.occurred_at FROM keys k
        CROSS JOIN LATERAL (
          SELECT * FROM audit_logs a
           WHERE a.table_name = k.table_name AND a.record_id = ANY(k.ids)
             AND a.action IN (${CHANGE_ACTIONS.map(literal).join(', ')})${windowSql(window, 'a.occurred_at')}
        ) a
     )
     SELECT 'field' AS facet, table_name, field_name, NULL::text AS actor_kind, NULL::int AS actor_id, NULL::text AS actor_username, NULL::text AS actor_name
       FROM touched WHERE field_name <> 'id' GROUP BY table_name, field_name
     UNION ALL
     SELECT 'user', NULL, NULL, actor_kind, actor_id, actor_username, (array_agg(actor_name ORDER BY occurred_at DESC))[1]
       FROM touched GROUP BY actor_kind, actor_id, actor_username`,
    values,
  );
  const fields = rows
    .filter((r) => r.facet === 'field')
    .map((r) => ({
      value: `${r.table_name}.${r.field_name}`,
      own: r.table_name === subject,
      label: `${auditFieldLabel(describe, r.table_name!, r.field_name!)}${r.table_name === subject ? '' : ` (${describe.tableLabel(r.table_name!)})`}`,
    }))
    .sort((a, b) => Number(b.own) - Number(a.own) || a.label.localeCompare(b.label))
    .map(({ value, label }) => ({ value, label }));
  const users = new Map<string, string>();
  for (const r of rows) {
    if (r.facet !== 'user') continue;
    if (r.actor_kind === 'user' && r.actor_id !== null) users.set(String(r.actor_id), `${r.actor_name ?? r.actor_username} (${r.actor_username})`);
    else if (r.actor_kind === 'system' && r.actor_username) users.set(r.actor_username, `System (${r.actor_username.replace(/^system:/, '')})`);
  }
  return { fields, users: [...users].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label)) };
}

function filterEcho(filter: HistoryFilter): RecordHistory['filter'] {
  return {
    ...(filter.field && { field: filter.field.table ? `${filter.field.table}.${filter.field.name}` : filter.field.name }),
    ...(filter.user && { user: 'id' in filter.user ? String(filter.user.id) : filter.user.username }),
    ...(filter.from && { from: filter.from.toISOString() }),
    ...(filter.to && { to: filter.to.toISOString() }),
  };
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
  const filter = options.filter ?? {};
  const timeZone = options.timeZone ?? shopTimeZone();
  const canReadTable = options.canReadTable ?? (() => true);
  if (filter.field) checkFieldFilter(sequelize, describe, historyTables(tableName, canReadTable), filter.field);

  const window = historyWindow(await historySince(sequelize, tableName, id));
  const keys = await historyKeys(sequelize, tableName, id, canReadTable, window);
  // Children are found over the record's whole life; only their changes are narrowed.
  const filteredKeys = filter.field?.table ? new Map([...keys].filter(([table]) => table === filter.field!.table)) : keys;
  const changeWindow = narrowedWindow(window, filter);
  const [{ rows, more }, facets] = await Promise.all([
    changeWindow ? changeRows(sequelize, filteredKeys, limit, changeWindow, filter) : Promise.resolve({ rows: [] as AuditRow[], more: false }),
    options.facets ? historyFacets(sequelize, keys, window, describe, tableName) : Promise.resolve(undefined),
  ]);

  // Everything to name: the records the entries are about, and every referenced id.
  const references = new Map<string, Map<string, string>>();
  const referencesFor = (table: string) => {
    if (!references.has(table)) references.set(table, referenceTargets(sequelize, table));
    return references.get(table)!;
  };
  const wanted: Array<{ table: string; id: string }> = [{ table: tableName, id }];
  const measured: Array<{ table: string; id: string }> = [];
  const seenLimits: Array<{ table: string; id: string; value: string | null }> = [];
  for (const row of rows) {
    wanted.push({ table: row.table_name, id: row.record_id });
    const target = referencesFor(row.table_name).get(row.field_name);
    if (target && row.old_value !== null) wanted.push({ table: target, id: row.old_value });
    if (target && row.new_value !== null) wanted.push({ table: target, id: row.new_value });
    if (isMeasured(row.table_name, row.field_name)) measured.push({ table: row.table_name, id: row.record_id });
    if (isLimitField(row.table_name, row.field_name)) {
      seenLimits.push({ table: row.table_name, id: row.record_id, value: row.old_value }, { table: row.table_name, id: row.record_id, value: row.new_value });
    }
  }
  const [titles, precisions] = await Promise.all([
    recordTitles(sequelize, wanted),
    measured.length ? measurementPrecisions(sequelize, measured, seenLimits) : Promise.resolve(new Map<string, number>()),
  ]);
  const titleOf = (table: string, ref: string) => titles.get(titleKey(table, ref))!;

  const entries: HistoryEntry[] = [];
  for (const row of rows) {
    let entry = entries[entries.length - 1];
    if (!entry || entry.changeId !== row.change_id) {
      const at = new Date(row.occurred_at);
      entry = {
        changeId: row.change_id,
        at: at.toISOString(),
        atText: formatDateTime(at, timeZone),
        action: row.action,
        record: {
          ...titleOf(row.table_name, row.record_id),
          tableLabel: describe.tableLabel(row.table_name),
          isSubject: row.table_name === tableName && row.record_id === id,
        },
        actor: { kind: row.actor_kind, id: row.actor_id, username: row.actor_username, name: row.actor_name, email: row.actor_email },
        ...(includeNetwork && { ipAddress: row.ip_address, userAgent: row.user_agent, browser: collapseUserAgent(row.user_agent) }),
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
    const precision = precisionOf(precisions, row.table_name, row.record_id);
    const text = (value: string | null) =>
      value === null
        ? null
        : target
          ? titleOf(target, value).title
          : secret
            ? value
            : readableValue(sequelize, describe, timeZone, row.table_name, row.field_name, value, precision);
    entry.changes.push({
      field: row.field_name,
      label: auditFieldLabel(describe, row.table_name, row.field_name),
      old: row.old_value,
      new: row.new_value,
      oldText: text(row.old_value),
      newText: text(row.new_value),
      ...(target && row.old_value !== null && { oldRef: titleOf(target, row.old_value) }),
      ...(target && row.new_value !== null && { newRef: titleOf(target, row.new_value) }),
      ...(secret && { secret: true as const }),
    });
  }

  const signatures = await approvalSignatures(sequelize, entries, timeZone);
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
    timeZone,
    filter: filterEcho(filter),
    ...(facets && { facets }),
  };
}
