import crypto from 'node:crypto';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { DatabaseSsl } from './database-tls.js';

/**
 * Reads that are planned once per connection and then only executed. A record's History searches
 * the monthly audit partitions its life spans, and PostgreSQL spent most of that time planning
 * (a fraction of a millisecond per partition per search, years of partitions for an old record)
 * each time it was asked; the execution itself takes about a millisecond.
 *
 * The statements go through a small pool of their own whose connections use generic plans for
 * named (prepared) statements (plan_cache_mode = force_generic_plan). Left to choose, PostgreSQL
 * kept re-planning some of them. Generic plans are only good when whatever decides the plan is
 * in the text: the callers write the time window and the table names as literals and bind only
 * record ids, so that partitions are pruned and indexes chosen when the statement is prepared.
 * Sequelize's own connections are untouched: its unnamed statements keep custom plans.
 * Behind PgBouncer in transaction mode neither holds (it refuses the start-up options, and a named
 * statement would not outlive its transaction's server connection): DB_PREPARED_READS=false
 * there, which the start-up check asks for (runtime-limits.ts).
 */
export interface PlanCachedReadOptions {
  url: string;
  ssl?: DatabaseSsl;
  max?: number;
  acquireTimeoutMs: number;
  /** The serving limits as start-up parameters, for a login whose defaults do not carry them (see DatabaseOptions). */
  startupLimits?: { statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
}

const pools = new WeakMap<Sequelize, pg.Pool>();
const MAX_USES = 200;

/** Gives `sequelize` its plan-cached pool (no connection is opened before the first read), closed with it. */
export function attachPlanCachedReads(sequelize: Sequelize, options: PlanCachedReadOptions): void {
  const settings = [
    '-c plan_cache_mode=force_generic_plan',
    ...(options.startupLimits
      ? [
          `-c statement_timeout=${Math.floor(options.startupLimits.statementTimeoutMs)}`,
          `-c idle_in_transaction_session_timeout=${Math.floor(options.startupLimits.idleInTransactionTimeoutMs)}`,
        ]
      : []),
  ];
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 2,
    // Kept for minutes: a connection's prepared plans are what this pool is for. But each plan
    // over years of partitions holds about half a megabyte in its server process, and distinct
    // texts (one per month a record's life starts in, per shape) add up: a connection is replaced
    // after this many reads, which bounds that memory and costs one planning round afterwards.
    idleTimeoutMillis: 300_000,
    maxUses: MAX_USES,
    connectionTimeoutMillis: options.acquireTimeoutMs,
    application_name: 'nexus-plans',
    options: settings.join(' '),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  // An idle connection that breaks (a database restart) is dropped by the pool; the next read opens another.
  pool.on('error', () => undefined);
  pools.set(sequelize, pool);
  const close = sequelize.close.bind(sequelize);
  let ended: Promise<void> | null = null;
  sequelize.close = async () => {
    ended ??= pool.end();
    await ended;
    return close();
  };
}

/**
 * Runs `text` as a named prepared statement on the plan-cached pool of `sequelize`. The name is
 * derived from the text, so that each distinct text is prepared once per connection. Without
 * that pool (DB_PREPARED_READS=false) it runs as any other query: planned every time.
 */
export async function planCachedQuery<R extends pg.QueryResultRow>(sequelize: Sequelize, text: string, values: unknown[]): Promise<R[]> {
  const pool = pools.get(sequelize);
  if (!pool) return sequelize.query<R>(text, { bind: values, type: QueryTypes.SELECT });
  const name = `nexus_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 40)}`;
  return (await pool.query<R>({ name, text, values })).rows;
}
