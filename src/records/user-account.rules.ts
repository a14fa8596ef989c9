import type { Model, ModelStatic, Transaction } from 'sequelize';
import { PRIVILEGED_ROLES } from '../auth/access-rules.js';
import type { Role } from '../auth/roles.js';
import type { Actor } from '../audit/actor.js';
import { queueMails } from '../notifications/mail-outbox.service.js';
import { RecordValidationError } from './record-errors.js';

/**
 * What no single administrator may do alone with accounts (21 CFR 11.300, 11.10(g)): give
 * someone privileged rights, or choose a password someone else will sign with. Applied by the
 * record service to the users table, for changes made by people (scripts act as the system).
 */

function isUsers(model: ModelStatic<Model>): boolean {
  return model.getTableName() === 'users';
}

/**
 * A new account asked with a privileged role starts without it: it is made with the viewer's
 * rights, and the role is asked of another administrator (the policy's user.role rule). Returns
 * the role held back, or null.
 */
export function holdPrivilegedRole(model: ModelStatic<Model>, values: Record<string, unknown>, actor: Actor): Role | null {
  if (!isUsers(model) || actor.kind !== 'user') return null;
  const role = values.role as Role | undefined;
  if (!role || !(PRIVILEGED_ROLES as readonly string[]).includes(role)) return null;
  values.role = 'viewer';
  return role;
}

/**
 * Nobody deactivates their own account: another administrator does. (An administrator who did
 * would be out at once, and the last one would leave nobody to let them back in.)
 */
export function refuseOwnDeactivation(model: ModelStatic<Model>, id: number | string, values: Record<string, unknown>, actor: Actor): void {
  if (!isUsers(model) || actor.kind !== 'user' || values.active !== false || Number(id) !== actor.userId) return;
  throw new RecordValidationError({ active: 'You cannot deactivate your own account: another administrator does it.' });
}

/**
 * A password set by someone other than its holder is a one-time password: the holder must choose
 * their own at the next sign-in and signs nothing until then. Marks the values; true when the
 * holder is to be told.
 */
export function markOneTimePassword(model: ModelStatic<Model>, values: Record<string, unknown>, actor: Actor, holderId: number | null): boolean {
  if (!isUsers(model) || typeof values.password !== 'string' || values.password === '') return false;
  const bySomeoneElse = actor.kind === 'user' && actor.userId !== holderId;
  values.must_change_password = bySomeoneElse;
  return bySomeoneElse;
}

/** Tells the holder, after commit, that someone set their password and what to do. */
export async function notifyPasswordSet(transaction: Transaction, holder: { id: number; email: string; full_name: string }, actor: Actor): Promise<void> {
  const by = actor.kind === 'user' ? `${actor.fullName} (${actor.username})` : 'NEXUS';
  await queueMails(transaction, [
    {
      recipient: holder,
      subject: 'NEXUS: a password was set for your account',
      body:
        `${holder.full_name},\n\n${by} set a password for your NEXUS account. It works once: at your next sign-in ` +
        'NEXUS asks you to choose your own, and until then you cannot sign approvals.\n\n' +
        'If you did not expect this, tell your quality manager.\n',
    },
  ]);
}
