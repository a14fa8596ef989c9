/**
 * What each dashboard tile counts, said once: the tile's figure (dashboard.service.ts) and the
 * list it opens (a named list filter, `filters.late=true`, read by panel/nexus-resource.adapter.ts)
 * are the same SQL, evaluated by the same database with its own clock (`current_date`). A list
 * that recomputed "late" from the browser's date would disagree with the tile around midnight, or
 * on a machine whose clock is off.
 *
 * A stock AdminJS filter cannot say these: it matches one status, not "any active one".
 */

/** Travelers still to be finished; one that is completed or cancelled is never late. */
export const ACTIVE_TRAVELER_STATUSES = ['draft', 'released', 'in_progress', 'on_hold'] as const;
/** Work orders still to be worked. */
export const OPEN_WORK_ORDER_STATUSES = ['open', 'in_progress', 'on_hold'] as const;

export interface TileFilter {
  /** What the list shows when the filter is on. */
  label: string;
  /** SQL over the row `$t`; constants only, never a value from a request. */
  sql: string;
}

const inList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Table → filter name → condition. The name is the list's query parameter: `filters.<name>=true`. */
export const TILE_FILTERS: Readonly<Record<string, Readonly<Record<string, TileFilter>>>> = {
  travelers: {
    late: {
      label: 'Late: past the due date and not finished',
      sql: `$t.due_date < current_date AND $t.status IN (${inList(ACTIVE_TRAVELER_STATUSES)})`,
    },
  },
  work_orders: {
    open: {
      label: 'Open: not completed or cancelled',
      sql: `$t.status IN (${inList(OPEN_WORK_ORDER_STATUSES)})`,
    },
  },
};

/** The named filters a table's list accepts (none for most tables). */
export function tileFiltersOf(table: string): Readonly<Record<string, TileFilter>> {
  return Object.hasOwn(TILE_FILTERS, table) ? TILE_FILTERS[table]! : {};
}

/** The filter's SQL over a row named `alias` (a table alias, or Sequelize's quoted model name). */
export function tileFilterSql(table: string, name: string, alias: string): string {
  const filter = Object.hasOwn(tileFiltersOf(table), name) ? tileFiltersOf(table)[name] : undefined;
  if (!filter) throw new Error(`No list filter "${name}" on ${table}`);
  return filter.sql.replaceAll('$t.', `${alias}.`);
}
