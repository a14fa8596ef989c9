import { Op, type Sequelize } from 'sequelize';
import type { AnonymousActor, UserActor } from '../audit/actor.js';
import { recordEvent, recordEventIn } from '../audit/audit-event.service.js';
import { executeWrite } from '../records/write-command.js';
import { User } from '../models/index.js';
import type { RequestContext } from '../http/request-context.js';
import type { SessionUser } from './access-rules.js';
import { passwordProblem, verifyPassword } from './password.js';
import { isRole } from './roles.js';

const MAX_IDENTIFIER = 254;

export function toSessionUser(user: User): SessionUser | null {
  if (!isRole(user.role)) return null;
  return { id: user.id, username: user.username, email: user.email, title: user.full_name, role: user.role, mustChangePassword: user.must_change_password };
}

export function actorFor(user: SessionUser, request: RequestContext): UserActor {
  return {
    kind: 'user',
    userId: user.id,
    username: user.username,
    fullName: user.title,
    email: user.email,
    role: user.role,
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
  };
}

export type SignInFailure = 'unknown_user' | 'inactive' | 'wrong_password' | 'malformed';

export type SignInResult = { ok: true; user: SessionUser } | { ok: false; reason: SignInFailure; userId?: number };

/**
 * Checks a sign-in by user name or email. Unknown names, deactivated accounts and wrong
 * passwords all cost the same argon2 work and look the same to the person signing in; only
 * the audit trail keeps the reason.
 */
export async function authenticate(identifier: unknown, password: unknown): Promise<SignInResult> {
  if (typeof identifier !== 'string' || typeof password !== 'string') return { ok: false, reason: 'malformed' };
  const name = identifier.trim().toLowerCase();
  if (name.length === 0 || name.length > MAX_IDENTIFIER) {
    await verifyPassword(null, password);
    return { ok: false, reason: 'malformed' };
  }
  const user = await User.findOne({ where: { [Op.or]: [{ username: name }, { email: name }] } });
  const ok = await verifyPassword(user?.active ? user.password_hash : null, password);
  if (!user) return { ok: false, reason: 'unknown_user' };
  if (!user.active) return { ok: false, reason: 'inactive', userId: user.id };
  const sessionUser = ok ? toSessionUser(user) : null;
  return sessionUser ? { ok: true, user: sessionUser } : { ok: false, reason: 'wrong_password', userId: user.id };
}

/** The user behind a session, re-read on every request so a deactivation or role change applies at once. */
export async function loadSessionUser(userId: unknown): Promise<SessionUser | null> {
  if (typeof userId !== 'number' || !Number.isInteger(userId)) return null;
  const user = await User.findByPk(userId);
  return user?.active ? toSessionUser(user) : null;
}

export async function recordLogin(sequelize: Sequelize, user: SessionUser, request: RequestContext): Promise<void> {
  await executeWrite(sequelize, {
    actor: actorFor(user, request),
    table: 'users',
    model: User,
    run: async (options) => {
      // Through the database's own function: nobody else may write the sign-in time, and it is no
      // change of the account (its version stays, so pending requests about the user stay valid).
      await sequelize.query('SELECT users_record_sign_in(:id)', { replacements: { id: user.id }, transaction: options.transaction });
      await recordEventIn(sequelize, options.transaction, { action: 'login', table: 'users', record: user.id });
    },
  });
}

/** A refused sign-in, by whoever typed the name: kept with the reason, which the person is not told. */
export async function recordFailedLogin(
  sequelize: Sequelize,
  identifier: unknown,
  failure: { reason: SignInFailure; userId?: number },
  request: RequestContext,
): Promise<void> {
  const typed = typeof identifier === 'string' ? identifier.trim().slice(0, 120) : '';
  const actor: AnonymousActor = {
    kind: 'anonymous',
    username: typed || '(empty)',
    ip: request.ip,
    userAgent: request.userAgent,
    requestId: request.requestId,
  };
  await recordEvent(sequelize, actor, {
    action: 'login_failed',
    table: failure.userId ? 'users' : undefined,
    record: failure.userId,
    details: { reason: failure.reason },
  });
}

export async function recordLogout(sequelize: Sequelize, user: SessionUser, request: RequestContext): Promise<void> {
  await recordEvent(sequelize, actorFor(user, request), { action: 'logout', table: 'users', record: user.id });
}

export type PasswordChangeRefusal = { field: 'current' | 'password' | 'repeat'; message: string };

/**
 * A person chooses their own password: the current one again, then the new one twice. A password
 * someone else set (must_change_password) is replaced this way at the first sign-in; afterwards
 * the account may sign again. Audited as a password change by its holder.
 */
export async function changeOwnPassword(
  sequelize: Sequelize,
  user: SessionUser,
  input: { current: unknown; password: unknown; repeat: unknown },
  request: RequestContext,
): Promise<PasswordChangeRefusal | null> {
  const current = typeof input.current === 'string' ? input.current : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const stored = await User.findByPk(user.id);
  if (!stored?.active || !(await verifyPassword(stored.password_hash, current))) return { field: 'current', message: 'The current password is not correct.' };
  const problem = passwordProblem(password, stored.username);
  if (problem) return { field: 'password', message: problem };
  if (password !== input.repeat) return { field: 'repeat', message: 'The two new passwords are not the same.' };
  if (await verifyPassword(stored.password_hash, password)) return { field: 'password', message: 'Choose a password other than the one you have now.' };
  await executeWrite(sequelize, {
    actor: actorFor(user, request),
    table: 'users',
    model: User,
    run: async (options) => {
      const row = await User.findByPk(user.id, { transaction: options.transaction, lock: options.transaction.LOCK.UPDATE });
      return row!.update({ password, must_change_password: false } as never, options);
    },
  });
  return null;
}
