import { QueryTypes, type Model, type ModelStatic, type Sequelize, type WhereOptions } from 'sequelize';

/**
 * How many rows a list has, without counting millions of them on every page view. AdminJS asks
 * for a total with each list page; count(*) over a million travelers or ten million audit rows
 * takes seconds. So:
 * - an unfiltered list of a large table takes PostgreSQL's own statistics (reltuples, kept by
 *   ANALYZE/autovacuum), and the panel says "about N";
 * - a filtered list is counted exactly up to FILTERED_COUNT_CAP matches; past that it says
 *   "more than N" with the planner's estimate.
 * Small tables and narrow filters are always counted exactly.
 */
export const ESTIMATE_ABOVE = 100_000;
export const FILTERED_COUNT_CAP = 10_000;

export interface ListCount {
  total: number;
  /** 'table': from statistics; 'filtered': more than the cap matched. */
  estimated: false | 'table' | 'filtered';
}

type AnyModel = ModelStatic<Model>;

interface QueryGenerator {
  selectQuery(table: string, options: { where?: WhereOptions; attributes?: string[]; limit?: number }, model?: AnyModel): string;
}

function selectSql(db: Sequelize, model: AnyModel, where: WhereOptions, limit?: number): string {
  const generator = (db.getQueryInterface() as unknown as { queryGenerator: QueryGenerator }).queryGenerator;
  const options = { where, attributes: [model.primaryKeyAttribute], ...(limit !== undefined && { limit }) };
  return generator.selectQuery(model.getTableName() as string, options, model).replace(/;\s*$/, '');
}

/** Rows in a table by its statistics; a partitioned table is the sum of its partitions. */
export async function tableEstimate(db: Sequelize, model: AnyModel): Promise<number> {
  const [row] = await db.query<{ estimate: number }>(
    `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint AS estimate
       FROM pg_class c
      WHERE c.relkind IN ('r', 'p')
        AND (c.oid = to_regclass(:table) AND c.relkind = 'r'
             OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(:table)))`,
    { replacements: { table: model.getTableName() as string }, type: QueryTypes.SELECT },
  );
  return Number(row?.estimate ?? 0);
}

async function plannerEstimate(db: Sequelize, model: AnyModel, where: WhereOptions): Promise<number> {
  const rows = await db.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) ${selectSql(db, model, where)}`, {
    type: QueryTypes.SELECT,
  });
  return Math.round(rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

export async function listCount(db: Sequelize, model: AnyModel, where: WhereOptions, filtered: boolean): Promise<ListCount> {
  if (!filtered) {
    const estimate = await tableEstimate(db, model);
    if (estimate >= ESTIMATE_ABOVE) return { total: estimate, estimated: 'table' };
    // Through `db`, not the model's own binding: `db` may be a read replica (db/read-replica.ts).
    const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${selectSql(db, model, {})}) every_row`, {
      type: QueryTypes.SELECT,
    })) as [{ n: number }];
    return { total: n, estimated: false };
  }
  const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${selectSql(db, model, where, FILTERED_COUNT_CAP + 1)}) capped`, {
    type: QueryTypes.SELECT,
  })) as [{ n: number }];
  if (n <= FILTERED_COUNT_CAP) return { total: n, estimated: false };
  return { total: Math.max(await plannerEstimate(db, model, where), FILTERED_COUNT_CAP + 1), estimated: 'filtered' };
}

/** What the panel says above a list whose total was estimated. */
export function estimateNotice(count: ListCount, what: string): string | null {
  const n = count.total.toLocaleString('en-US');
  if (count.estimated === 'table') {
    return `About ${n} ${what}: counted from the database's statistics, because counting every row of a list this large takes seconds. Filter the list for an exact count.`;
  }
  if (count.estimated === 'filtered') {
    return `More than ${FILTERED_COUNT_CAP.toLocaleString('en-US')} ${what} match (about ${n}): narrow the filter for an exact count.`;
  }
  return null;
}
