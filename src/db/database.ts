import pg from 'pg';
import { Sequelize } from 'sequelize';
import { initSchema } from '../tables/index.js';
import type { DatabaseSsl } from './database-tls.js';
import { attachPlanCachedReads } from './plan-cached-reads.js';
import type { RuntimeLimits } from './runtime-limits.js';
import { installSettingsOnBegin } from './unit-of-work.js';

export interface DatabaseOptions {
  url: string;
  /**
   * The serving limits (db/runtime-limits.ts) as start-up parameters of every connection: only for
   * a login whose own defaults cannot carry them (the owner, a superuser). PgBouncer refuses these
   * parameters; a runtime login of its own has the limits as its defaults instead. Migrations and
   * maintenance run without a limit.
   */
  startupLimits?: RuntimeLimits;
  poolMax: number;
  acquireTimeoutMs: number;
  log?: (sql: string) => void;
  /**
   * TLS for every connection: databaseSsl(config) from ./database-tls.js, with a URL passed
   * through databaseUrlForTls (a `sslmode` in the URL would override this). Unset: pg's default.
   */
  ssl?: DatabaseSsl;
  /** History's searches as prepared statements on a pool of their own (db/plan-cached-reads.ts); default on. */
  preparedReads?: boolean;
  /**
   * Bind the app's models to this connection (default). A replica's connection binds none: the
   * models write through the primary's, and a report read reaches the replica by its own queries
   * or by passing one of its transactions.
   */
  bindModels?: boolean;
}

/** Only set `ssl` when given, so that callers without it keep node-postgres' own default. */
function sslOption(ssl: DatabaseSsl | undefined): { ssl?: DatabaseSsl } {
  return ssl === undefined ? {} : { ssl };
}

// PostgreSQL returns numeric as text to keep precision; our numerics (hours, spec limits) fit a
// double exactly at their scale, and the panel needs numbers, not strings.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
// COUNT(*) and bigint ids beyond 2^53 do not exist in a shop; parse counts as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
});

export function createSequelize(options: DatabaseOptions): Sequelize {
  const sequelize = new Sequelize(options.url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: options.log ?? false,
    // Idle connections are kept for minutes, not seconds: a new one first loads the catalog
    // entries of every audit partition and index it plans over, which costs a History or an
    // audit-log page several milliseconds per query until the connection is warm.
    pool: { max: options.poolMax, min: 0, acquire: options.acquireTimeoutMs, idle: 300_000 },
    define: { underscored: true, timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
    dialectOptions: {
      application_name: 'nexus',
      ...sslOption(options.ssl),
      // A request never waits on the database without end: a statement, and a transaction left
      // idle by a dead caller, are cut off by PostgreSQL itself (the runtime connection only).
      ...(options.startupLimits && {
        statement_timeout: options.startupLimits.statementTimeoutMs,
        idle_in_transaction_session_timeout: options.startupLimits.idleInTransactionTimeoutMs,
      }),
    },
  });
  installSettingsOnBegin(sequelize);
  if (options.preparedReads !== false)
    attachPlanCachedReads(sequelize, {
      url: options.url,
      ...sslOption(options.ssl),
      acquireTimeoutMs: options.acquireTimeoutMs,
      ...(options.startupLimits && { startupLimits: options.startupLimits }),
    });
  if (options.bindModels !== false) initSchema(sequelize);
  return sequelize;
}

/**
 * A plain pg pool for libraries that want one (sessions); errors on idle clients must not crash the process.
 * Waiting for a free client, or for a new connection, gives up after `acquireTimeoutMs` (like the
 * Sequelize pool's acquire timeout): node-postgres' default is to wait for ever, which hangs every
 * request behind a full pool or an unreachable server.
 */
export function createPgPool(url: string, max: number, onError: (error: Error) => void, ssl?: DatabaseSsl, acquireTimeoutMs = 10_000): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: acquireTimeoutMs, application_name: 'nexus-sessions', ...sslOption(ssl) });
  pool.on('error', onError);
  return pool;
}

/** Creates the database named in `url` through the server's maintenance database when it is missing. */
export async function ensureDatabaseExists(url: string, ssl?: DatabaseSsl): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), ...sslOption(ssl) });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
