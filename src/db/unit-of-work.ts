import pg from 'pg';
import type { Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { assertActor, type Actor } from '../audit/actor.js';
import type { NumberPatterns } from '../tables/record-numbers.js';

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

/**
 * Sends a unit of work's settings in the same round trip as its START TRANSACTION. Every audited
 * write begins with both; sent apart they cost each write a round trip, and writes are what a
 * busy shop does most. Sequelize has no hook at that point, so this wraps its query generator's
 * startTransactionQuery on this instance only. The values are quoted by node-postgres'
 * escapeLiteral (the simple protocol takes no parameters, and several statements need it).
 */
export function installSettingsOnBegin(sequelize: Sequelize): void {
  const generator = (sequelize.getQueryInterface() as unknown as { queryGenerator: { startTransactionQuery(t: Transaction): string } }).queryGenerator;
  const original = generator.startTransactionQuery.bind(generator);
  generator.startTransactionQuery = (transaction: Transaction) => {
    const sql = original(transaction);
    const settings = (transaction as unknown as { options: WithSettings }).options[SETTINGS];
    if (!settings || (transaction as unknown as { parent?: Transaction }).parent || sql !== 'START TRANSACTION;') return sql;
    settingsApplied.add(transaction);
    const calls = Object.entries(settings).map(([name, value]) => `set_config(${pg.escapeLiteral(name)}, ${pg.escapeLiteral(value)}, true)`);
    return `${sql} SELECT ${calls.join(', ')};`;
  };
}
