import type pg from 'pg';
import type { Model, Sequelize, Transaction } from 'sequelize';

/**
 * A statement sent on a transaction's own connection, past Sequelize's query pipeline: for the
 * few statements every audited edit sends (the begin with the actor, the locked read, the update,
 * the commit), whose pipeline cost more of the app's CPU than node-postgres itself (per query an
 * Error with a stack for its own messages, a uuid, option copies, logging and result shaping),
 * and the app's CPU is what the database's shares the machine with.
 *
 * What the pipeline gives that matters is kept: the connection's own type parsers (Sequelize set
 * them when it opened it, so rows read the same), unnamed statements (safe behind PgBouncer in
 * transaction mode), Sequelize's logging option when one is set, and a failure turned into the Sequelize error that the same statement would
 * have raised through it (a unique or foreign key violation, a lost connection marked invalid),
 * so that the write path's translation of refusals works unchanged.
 */
type DialectQuery = new (
  connection: unknown,
  sequelize: Sequelize,
  options: { instance?: Model },
) => {
  formatError(error: unknown, stack?: string): Error;
};

/** The pg client Sequelize holds for the transaction. */
export function connectionOf(transaction: Transaction): pg.ClientBase {
  const connection = (transaction as unknown as { connection?: pg.ClientBase }).connection;
  if (!connection) throw new Error('The transaction has no connection (it has not begun or has already ended)');
  return connection;
}

/** The error Sequelize's postgres dialect raises for a statement that failed as `error` did. */
export function asSequelizeError(sequelize: Sequelize, connection: unknown, error: unknown, sql: string, parameters?: unknown[], instance?: Model): Error {
  const failure = error as Error & { code?: string; sql?: string; parameters?: unknown[] };
  // As the dialect does: a connection in an unknown state is not handed out again.
  if (failure.code === 'ECONNRESET' || /Unable to set non-blocking to true|SSL SYSCALL error: EOF detected/i.test(String(failure.message))) {
    (connection as { _invalid?: boolean })._invalid = true;
  }
  failure.sql = sql;
  failure.parameters = parameters;
  const Query = (sequelize as unknown as { dialect: { Query: DialectQuery } }).dialect.Query;
  return new Query(connection, sequelize, { instance }).formatError(failure, failure.stack);
}

/**
 * Runs one statement in the transaction. `parameters` are sent as they are (text, numbers,
 * booleans, null): the caller converts anything else. A NUL in text becomes the two characters
 * "\0", as Sequelize's dialect sends it (PostgreSQL refuses the NUL itself).
 */
export async function transactionStatement<R extends Record<string, unknown> = Record<string, unknown>>(
  sequelize: Sequelize,
  transaction: Transaction,
  sql: string,
  parameters?: unknown[],
  instance?: Model,
): Promise<pg.QueryResult<R>> {
  const connection = connectionOf(transaction);
  const values = parameters?.map((v) => (typeof v === 'string' && v.includes('\0') ? v.replace(/\0/g, '\\0') : v));
  // Logged as Sequelize logs its own statements, when its logging is on (a developer's SQL log, tests).
  const logging = (sequelize as unknown as { options: { logging?: unknown } }).options.logging;
  if (typeof logging === 'function') logging(`Executing (${(connection as { uuid?: string }).uuid ?? 'default'}): ${sql}`, { bind: values });
  try {
    return await (values?.length ? connection.query<R>(sql, values) : connection.query<R>(sql));
  } catch (error) {
    throw asSequelizeError(sequelize, connection, error, sql, values, instance);
  }
}
