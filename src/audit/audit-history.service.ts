import { QueryTypes, type Sequelize } from 'sequelize';
import { planCachedQuery } from '../db/plan-cached-reads.js';
import { auditFieldLabel, readableEntries } from './audit-history.entries.js';
import { checkFieldFilter, filterEcho, MAX_HISTORY_LIMIT } from './audit-history.filter.js';
import {
  changeRowsStatement,
  childIdsStatement,
  facetsStatement,
  historyStartStatement,
  type AuditRow,
  type ChildIdRow,
  type FacetRow,
  type FoundMonths,
  type HistoryStartRow,
  type MonthPurpose,
} from './audit-history.sql.js';
import { historyWindow, narrowedWindow, recordedWindow, type HistoryWindow } from './audit-history.window.js';
import { monthOf, RECORDED_PARENT_KEYS, recordedMonths } from './audit-record-months.js';
import type { HistoryFacets, HistoryFilter, HistoryOptions, RecordDescriber, RecordHistory } from './audit-history.types.js';
import { shopTimeZone } from './audit-values.js';
import { historyChildren, historyTables, type ChildSpec } from './record-family.js';

export { auditFieldLabel } from './audit-history.entries.js';

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
 * service runs them, and audit-history.entries.ts shapes the changes they return.
 */

export const DEFAULT_HISTORY_LIMIT = 200;

const plainDescriber: RecordDescriber = {
  tableLabel: (table) => table,
  fieldLabel: (_table, field) => field,
};

/** The children of one level found, by table, and the months asked about them. */
interface LevelFound {
  ids: Map<string, string[]>;
  own: Date[];
  link: Date[];
}

/**
 * The children of the given parents, now or ever, for every child table of one level, found in
 * one query (see childIdsStatement). The family is what the associations say; that a child
 * deleted since belonged to a parent is not in any association but in the audit rows that set its
 * parent key, which is why the search reads both.
 */
async function childIdsOfLevel(
  sequelize: Sequelize,
  specs: ChildSpec[],
  parentIds: string[],
  window: HistoryWindow,
  lookups: FoundMonths[],
): Promise<LevelFound> {
  const found = new Map<string, Set<string>>();
  const months: Record<MonthPurpose, Date[]> = { own: [], link: [] };
  if (parentIds.length === 0 || specs.length === 0) return { ids: new Map(), ...months };
  const keyOf = new Map(specs.map((spec) => [spec.table, spec.key]));
  const { text, values } = childIdsStatement(specs, parentIds, window, lookups);
  for (const row of await planCachedQuery<ChildIdRow>(sequelize, text, values)) {
    if (row.month !== null) {
      months[row.purpose!].push(monthOf(row.month));
      continue;
    }
    // An audit row of one table's parent key says nothing about a table whose key is another.
    if (row.k !== null && keyOf.get(row.t!) !== row.k) continue;
    if (!found.has(row.t!)) found.set(row.t!, new Set());
    found.get(row.t!)!.add(row.id!);
  }
  return { ids: new Map([...found].map(([t, ids]) => [t, [...ids]])), ...months };
}

/**
 * What the searches of the next level, and of the changes, need to know about the children of a
 * level: the months of their own changes, and those in which children of theirs got them as
 * parent (for a parent key audit_record_months lists).
 */
function lookupsFor(specs: ChildSpec[], canReadTable: (table: string) => boolean): FoundMonths[] {
  return specs.flatMap((spec) => [
    { of: spec.table, table: spec.table, field: 'id', purpose: 'own' as const },
    ...spec.children
      .filter((child) => canReadTable(child.table) && RECORDED_PARENT_KEYS.includes(child.key))
      .map((child) => ({ of: spec.table, table: child.table, field: child.key, purpose: 'link' as const })),
  ]);
}

/** The children of a level whose searches are narrowed to the months in which any of them got one of the parents (null: every month). */
interface Level {
  specs: ChildSpec[];
  parentIds: string[];
  linked: Date[] | null;
}

/** The record's readable family, ids by table, and the months of the family's own changes. */
async function historyKeys(
  sequelize: Sequelize,
  table: string,
  first: Level,
  canReadTable: (table: string) => boolean,
  windowOf: (months: Date[] | null) => HistoryWindow,
): Promise<{ keys: Map<string, string[]>; own: Date[] }> {
  const keys = new Map<string, string[]>([[table, first.parentIds]]);
  const own: Date[] = [];
  // Level by level: the children of every table of a level are found in one round trip.
  let level: Level[] = [first];
  while (level.length) {
    const next: Level[] = [];
    for (const { specs, parentIds, linked } of level) {
      const readable = specs.filter((spec) => canReadTable(spec.table));
      if (readable.length === 0) continue;
      const found = await childIdsOfLevel(sequelize, readable, parentIds, windowOf(linked), lookupsFor(readable, canReadTable));
      own.push(...found.own);
      for (const spec of readable) {
        const ids = found.ids.get(spec.table) ?? [];
        if (ids.length === 0) continue;
        keys.set(spec.table, [...(keys.get(spec.table) ?? []), ...ids]);
        const recorded = spec.children.every((child) => !canReadTable(child.table) || RECORDED_PARENT_KEYS.includes(child.key));
        if (spec.children.length) next.push({ specs: spec.children, parentIds: ids, linked: recorded ? found.link : null });
      }
    }
    level = next;
  }
  return { keys, own };
}

/**
 * When the record's history can start and from when audit rows may not be recorded by month yet
 * (see historyStartStatement), so that a record of this month does not search years of
 * partitions, nor an old one the months it was not touched in. A record that is gone (no row) or
 * an id that is not a number has no creation time here: its history is searched from the first
 * month. Any failure (a refused read, a timeout) is raised: caught, it would pass unseen as a
 * slower search of every partition.
 */
async function historyStart(sequelize: Sequelize, table: string, id: string): Promise<HistoryStartRow> {
  const { text, values } = historyStartStatement(table, id);
  const rows = await sequelize.query<HistoryStartRow>(text, { bind: values, type: QueryTypes.SELECT });
  return rows[0] ?? { since: null, unrecorded_from: null };
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

export async function recordHistory(sequelize: Sequelize, tableName: string, recordId: string | number, options: HistoryOptions = {}): Promise<RecordHistory> {
  const id = String(recordId);
  const describe = options.describe ?? plainDescriber;
  const includeNetwork = options.includeNetwork ?? false;
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULT_HISTORY_LIMIT)), MAX_HISTORY_LIMIT);
  const filter = options.filter ?? {};
  const timeZone = options.timeZone ?? shopTimeZone();
  const canReadTable = options.canReadTable ?? (() => true);
  if (filter.field) checkFieldFilter(sequelize, describe, historyTables(tableName, canReadTable), filter.field);

  // The months of the record's own changes, and those in which its children got it as parent,
  // looked up while its start is read; the children's months come with the children.
  const heads = historyChildren(tableName).filter((spec) => canReadTable(spec.table));
  const [start, first] = await Promise.all([
    historyStart(sequelize, tableName, id),
    recordedMonths(sequelize, [
      { table: tableName, field: 'id', values: [id] },
      ...heads.map((spec) => ({ table: spec.table, field: spec.key, values: [id] })),
    ]),
  ]);
  const windowOf = (months: Date[] | null) => recordedWindow(historyWindow(start.since, new Date()), months, start.unrecorded_from);
  const family = await historyKeys(sequelize, tableName, { specs: heads, parentIds: [id], linked: first.link }, canReadTable, windowOf);
  const keys = family.keys;
  const window = windowOf([...first.own, ...family.own]);
  // Children are found over the record's whole life; only their changes are narrowed.
  const filteredKeys = filter.field?.table ? new Map([...keys].filter(([table]) => table === filter.field!.table)) : keys;
  const changeWindow = narrowedWindow(window, filter);
  const [{ rows, more }, facets] = await Promise.all([
    changeWindow ? changeRows(sequelize, filteredKeys, limit, changeWindow, filter) : Promise.resolve({ rows: [] as AuditRow[], more: false }),
    options.facets ? historyFacets(sequelize, keys, window, describe, tableName) : Promise.resolve(undefined),
  ]);

  const { entries, subject } = await readableEntries(sequelize, rows, { table: tableName, id, describe, timeZone, includeNetwork });

  return {
    subject: { ...subject, tableLabel: describe.tableLabel(tableName) },
    entries,
    limit,
    olderEntriesExist: more,
    includesNetwork: includeNetwork,
    timeZone,
    filter: filterEcho(filter),
    ...(facets && { facets }),
  };
}
