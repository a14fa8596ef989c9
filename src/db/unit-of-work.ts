import crypto from 'node:crypto';
import pg from 'pg';
import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { assertActor, type Actor } from '../audit/actor.js';
import type { NumberPatterns } from '../tables/record-numbers.js';
import { transactionStatement } from './transaction-statement.js';

export interface WriteOptions {
  transaction: Transaction;
  actor: Actor;
  /**
   * The app's number patterns, for a new work order or traveler saved without a number: Sequelize
   * passes these options on to the table hooks. Without them the default patterns apply.
   */
  numbers?: NumberPatterns;
}

/** Transaction-local settings to apply as the transaction begins (see installSettingsOnBegin). */
const SETTINGS = Symbol('nexus.transaction-settings');
type WithSettings = TransactionOptions & { [SETTINGS]?: Record<string, string> };

/**
 * The one way to write audited data: a transaction that knows who is acting. The actor is
 * also placed in transaction-local settings (SET LOCAL semantics, safe behind PgBouncer in
 * transaction mode) so that database triggers attribute every row, whichever path wrote it.
 * Work passed in must use `options.transaction` for every query.
 */
export async function inTransaction<T>(sequelize: Sequelize, actor: Actor, work: (options: WriteOptions) => Promise<T>): Promise<T> {
  assertActor(actor, 'write');
  // READ COMMITTED, PostgreSQL's default: naming it would cost every write a round trip of its
  // own (Sequelize sends SET TRANSACTION separately). Rows a write depends on are locked.
  const options: WithSettings = { [SETTINGS]: { 'nexus.actor': JSON.stringify(actor), 'nexus.request_id': actor.requestId } };
  return sequelize.transaction(options, async (transaction) => {
    if (!settingsApplied.has(transaction)) {
      // A Sequelize without installSettingsOnBegin: the same settings, one round trip later.
      await sequelize.query(`SELECT set_config('nexus.actor', $1, true), set_config('nexus.request_id', $2, true)`, {
        bind: [JSON.stringify(actor), actor.requestId],
        transaction,
      });
    }
    return work({ transaction, actor });
  });
}

const settingsApplied = new WeakSet<Transaction>();

interface TransactionInternals {
  options: WithSettings;
  parent?: Transaction;
  finished?: string;
}

/** A unit of work of inTransaction, begun without isolation level or savepoint (what installSettingsOnBegin shortens). */
function isPlainUnitOfWork(transaction: Transaction): boolean {
  const { options, parent } = transaction as unknown as TransactionInternals;
  return Boolean(options[SETTINGS]) && !parent && !options.isolationLevel && !options.deferrable;
}

/**
 * Makes every unit of work cheaper on this Sequelize instance, for writes are what a busy shop
 * does most and the app's CPU is shared with the database's:
 *
 * - its settings go in the same round trip as its START TRANSACTION (sent apart they cost each
 *   write a round trip). The values are quoted by node-postgres' escapeLiteral (the simple
 *   protocol takes no parameters, and several statements need it);
 * - that begin and its COMMIT are sent on the transaction's connection directly
 *   (db/transaction-statement.ts), not through Sequelize's query pipeline, which cost more CPU
 *   than the statements themselves; a failure is the same Sequelize error, and Sequelize still
 *   acquires and releases the connection, rolls back, and runs afterCommit hooks;
 * - its id is crypto.randomUUID(), the same kind of id for a fraction of the uuid package's cost.
 *
 * Sequelize has no hooks at these points, so this wraps its query interface's startTransaction
 * and commitTransaction, and its query generator's startTransactionQuery and
 * generateTransactionId, on this instance only. Other transactions (an isolation level, a
 * savepoint) go Sequelize's way unchanged.
 */
export function installSettingsOnBegin(sequelize: Sequelize): void {
  const queryInterface = sequelize.getQueryInterface() as unknown as {
    queryGenerator: { startTransactionQuery(t: Transaction): string; generateTransactionId(): string };
    startTransaction(t: Transaction, options: unknown): Promise<unknown>;
    commitTransaction(t: Transaction, options: unknown): Promise<unknown>;
  };
  const generator = queryInterface.queryGenerator;
  const original = generator.startTransactionQuery.bind(generator);
  generator.startTransactionQuery = (transaction: Transaction) => {
    const sql = original(transaction);
    const settings = (transaction as unknown as TransactionInternals).options[SETTINGS];
    if (!settings || (transaction as unknown as TransactionInternals).parent || sql !== 'START TRANSACTION;') return sql;
    settingsApplied.add(transaction);
    const calls = Object.entries(settings).map(([name, value]) => `set_config(${pg.escapeLiteral(name)}, ${pg.escapeLiteral(value)}, true)`);
    return `${sql} SELECT ${calls.join(', ')};`;
  };
  // Sequelize calls it unbound, as a plain function (the dialect's generator is this one).
  generator.generateTransactionId = () => crypto.randomUUID();

  const start = queryInterface.startTransaction.bind(queryInterface);
  queryInterface.startTransaction = async (transaction, options) => {
    if (!isPlainUnitOfWork(transaction)) return start(transaction, options);
    return transactionStatement(sequelize, transaction, generator.startTransactionQuery(transaction));
  };
  const commit = queryInterface.commitTransaction.bind(queryInterface);
  queryInterface.commitTransaction = async (transaction, options) => {
    if (!isPlainUnitOfWork(transaction)) return commit(transaction, options);
    const sent = transactionStatement(sequelize, transaction, 'COMMIT;');
    // As Sequelize marks it once COMMIT is on its way: nothing more may be sent in it.
    (transaction as unknown as TransactionInternals).finished = 'commit';
    return sent;
  };
}
