import type { Sequelize, Transaction } from 'sequelize';
import { assertActor, type Actor } from '../audit/actor.js';

export interface WriteOptions {
  transaction: Transaction;
  actor: Actor;
}

/**
 * The one way to write audited data: a transaction that knows who is acting. The actor is
 * also placed in transaction-local settings (SET LOCAL semantics, safe behind PgBouncer in
 * transaction mode) so that database triggers attribute every row, whichever path wrote it.
 * Work passed in must use `options.transaction` for every query.
 */
export async function inTransaction<T>(
  sequelize: Sequelize,
  actor: Actor,
  work: (options: WriteOptions) => Promise<T>,
): Promise<T> {
  assertActor(actor, 'write');
  // READ COMMITTED, PostgreSQL's default: naming it would cost every write a round trip of its
  // own (Sequelize sends SET TRANSACTION separately). Rows a write depends on are locked.
  return sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `SELECT set_config('nexus.actor', $1, true), set_config('nexus.request_id', $2, true)`,
      { bind: [JSON.stringify(actor), actor.requestId], transaction },
    );
    return work({ transaction, actor });
  });
}
