import { QueryTypes, type Sequelize } from 'sequelize';
import { collapseUserAgent, formatDateTime } from '../shared/value-format.js';
import { planCachedQuery } from '../db/plan-cached-reads.js';
import { checkFieldFilter, filterEcho, MAX_HISTORY_LIMIT } from './audit-history.filter.js';
import {
  approvalSignaturesStatement,
  changeRowsStatement,
  childIdsStatement,
  facetsStatement,
  historySinceStatement,
  historyWindow,
  narrowedWindow,
  type AuditRow,
  type ChildIdRow,
  type FacetRow,
  type HistoryWindow,
  type SignatureRow,
} from './audit-history.sql.js';
import type { ApprovalSignature, HistoryEntry, HistoryFacets, HistoryFilter, HistoryOptions, RecordDescriber, RecordHistory } from './audit-history.types.js';
import { isLimitField, isMeasured, measurementPrecisions, precisionOf, readableValue, shopTimeZone } from './audit-values.js';
import { historyChildren, historyTables, type ChildSpec } from './record-family.js';
import { recordTitles, referenceTargets, titleKey } from './record-titles.js';

export type {
  ApprovalSignature,
  FieldChange,
  HistoryActor,
  HistoryEntry,
  HistoryFacets,
  HistoryFilter,
  HistoryOptions,
  RecordDescriber,
  RecordHistory,
} from './audit-history.types.js';

/**
 * The history of one record as people read it: its changes newest first, each with who made it,
 * when, from where, and the fields that changed with their labels, references named. A traveler's
 * history also holds the changes to what belongs to it (its family, see record-family.ts),
 * including children deleted since: those are found in the audit trail itself, so a deleted
 * manual step still shows up with what it was. The statements are audit-history.sql.ts's; this
 * service runs them and shapes what they return.
 */

export const DEFAULT_HISTORY_LIMIT = 200;

const SECRET_FIELDS = new Set(['password']);

/** A field's label; the password row stands for the hash, whose form label ("New password") would mislead. */
export function auditFieldLabel(describe: RecordDescriber, table: string, field: string): string {
  return field === 'password' ? 'Password' : describe.fieldLabel(table, field);
}

const plainDescriber: RecordDescriber = {
  tableLabel: (table) => table,
  fieldLabel: (_table, field) => field,
};

/**
 * The children of the given parents, now or ever, for every child table of one level, found in
 * one query (see childIdsStatement). The family is what the associations say; that a child
 * deleted since belonged to a parent is not in any association but in the audit rows that set its
 * parent key, which is why the search reads both.
 */
async function childIdsOfLevel(sequelize: Sequelize, specs: ChildSpec[], parentIds: string[], window: HistoryWindow): Promise<Map<string, string[]>> {
  const found = new Map<string, Set<string>>();
  if (parentIds.length === 0 || specs.length === 0) return new Map();
  const keyOf = new Map(specs.map((spec) => [spec.table, spec.key]));
  const { text, values } = childIdsStatement(specs, parentIds, window);
  for (const row of await planCachedQuery<ChildIdRow>(sequelize, text, values)) {
    // An audit row of one table's parent key says nothing about a table whose key is another.
    if (row.k !== null && keyOf.get(row.t) !== row.k) continue;
    if (!found.has(row.t)) found.set(row.t, new Set());
    found.get(row.t)!.add(row.id);
  }
  return new Map([...found].map(([t, ids]) => [t, [...ids]]));
}

/** The record and its readable family: ids by table. */
async function historyKeys(
  sequelize: Sequelize,
  table: string,
  recordId: string,
  canReadTable: (table: string) => boolean,
  window: HistoryWindow,
): Promise<Map<string, string[]>> {
  const keys = new Map<string, string[]>([[table, [recordId]]]);
  // Level by level: the children of every table of a level are found in one round trip.
  let level: Array<{ specs: ChildSpec[]; parentIds: string[] }> = [{ specs: historyChildren(table), parentIds: [recordId] }];
  while (level.length) {
    const next: typeof level = [];
    for (const { specs, parentIds } of level) {
      const readable = specs.filter((spec) => canReadTable(spec.table));
      const found = await childIdsOfLevel(sequelize, readable, parentIds, window);
      for (const spec of readable) {
        const ids = found.get(spec.table) ?? [];
        if (ids.length === 0) continue;
        keys.set(spec.table, [...(keys.get(spec.table) ?? []), ...ids]);
        if (spec.children.length) next.push({ specs: spec.children, parentIds: ids });
      }
    }
    level = next;
  }
  return keys;
}

/**
 * When the record's history can start (see historySinceStatement), so that a record of this
 * month does not search years of partitions. A record that is gone (no row) or an id that is
 * not a number has no creation time here: its history is searched in full. Any other failure (a
 * refused read, a timeout) is raised: caught, it would pass unseen as a slower search of every
 * partition.
 */
async function historySince(sequelize: Sequelize, table: string, id: string): Promise<Date | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { text, values } = historySinceStatement(table, id);
  const rows = await sequelize.query<{ since: Date | null }>(text, { bind: values, type: QueryTypes.SELECT });
  return rows[0]?.since ?? null;
}

/** The rows of the newest `limit` changes, and whether older ones exist. */
async function changeRows(
  sequelize: Sequelize,
  keys: Map<string, string[]>,
  limit: number,
  window: HistoryWindow,
  filter: HistoryFilter,
): Promise<{ rows: AuditRow[]; more: boolean }> {
  const statement = changeRowsStatement(keys, limit, window, filter);
  if (!statement) return { rows: [], more: false };
  const rows = await planCachedQuery<AuditRow>(sequelize, statement.text, statement.values);
  const changeIds: string[] = [];
  for (const row of rows) if (changeIds[changeIds.length - 1] !== row.change_id) changeIds.push(row.change_id);
  if (changeIds.length <= limit) return { rows, more: false };
  const keep = new Set(changeIds.slice(0, limit));
  return { rows: rows.filter((r) => keep.has(r.change_id)), more: true };
}

/** The fields and the people of a whole History, for its filter controls. */
async function historyFacets(
  sequelize: Sequelize,
  keys: Map<string, string[]>,
  window: HistoryWindow,
  describe: RecordDescriber,
  subject: string,
): Promise<HistoryFacets> {
  const { text, values } = facetsStatement(keys, window);
  const rows = await planCachedQuery<FacetRow>(sequelize, text, values);
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

/** The signatures of the approvals that applied some of the entries (one query for all). */
async function approvalSignatures(sequelize: Sequelize, entries: HistoryEntry[], timeZone: string): Promise<Map<number, ApprovalSignature>> {
  const ids = [
    ...new Set(
      entries
        .map((e) => e.approvalId)
        .filter((id): id is number => id !== null)
        .map(Number),
    ),
  ];
  if (ids.length === 0) return new Map();
  const { text, values } = approvalSignaturesStatement(ids);
  const rows = await sequelize.query<SignatureRow>(text, { bind: values, type: QueryTypes.SELECT });
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

export async function recordHistory(sequelize: Sequelize, tableName: string, recordId: string | number, options: HistoryOptions = {}): Promise<RecordHistory> {
  const id = String(recordId);
  const describe = options.describe ?? plainDescriber;
  const includeNetwork = options.includeNetwork ?? false;
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULT_HISTORY_LIMIT)), MAX_HISTORY_LIMIT);
  const filter = options.filter ?? {};
  const timeZone = options.timeZone ?? shopTimeZone();
  const canReadTable = options.canReadTable ?? (() => true);
  if (filter.field) checkFieldFilter(sequelize, describe, historyTables(tableName, canReadTable), filter.field);

  const window = historyWindow(await historySince(sequelize, tableName, id), new Date());
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
