import type { Sequelize, Transaction } from 'sequelize';
import type { Actor } from './actor.js';
import { inTransaction } from '../db/unit-of-work.js';

export type AuditEventAction = 'login' | 'login_failed' | 'logout' | 'export' | 'access_denied' | 'signature_failed' | 'login_locked' | 'login_refused_locked';

export interface AuditEvent {
  action: AuditEventAction;
  table?: string;
  record?: string | number;
  details?: Record<string, unknown>;
}

/** Records an event (not a data change) in the audit trail, inside the caller's transaction. */
export async function recordEventIn(sequelize: Sequelize, transaction: Transaction, event: AuditEvent): Promise<void> {
  await sequelize.query('SELECT audit_event(:action, :table, :record, CAST(:details AS jsonb))', {
    replacements: {
      action: event.action,
      table: event.table ?? null,
      record: event.record === undefined ? null : String(event.record),
      details: event.details ? JSON.stringify(event.details) : null,
    },
    transaction,
  });
}

/** Records an event in a transaction of its own, as the given actor. */
export async function recordEvent(sequelize: Sequelize, actor: Actor, event: AuditEvent): Promise<void> {
  await inTransaction(sequelize, actor, ({ transaction }) => recordEventIn(sequelize, transaction, event));
}
