import { Op } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { inTransaction } from '../db/unit-of-work.js';
import { User } from '../models/index.js';
import type { RequestContext } from '../http/request-context.js';
import type { SessionUser } from './access-rules.js';
import { verifyPassword } from './password.js';
import { isRole } from './roles.js';

const MAX_IDENTIFIER = 254;

export function toSessionUser(user: User): SessionUser | null {
  if (!isRole(user.role)) return null;
  return { id: user.id, username: user.username, email: user.email, title: user.full_name, role: user.role };
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

/**
 * Checks a sign-in by user name or email. Unknown names, deactivated accounts and wrong
 * passwords all answer null after the same argon2 work, so the answer reveals nothing.
 */
export async function authenticate(identifier: unknown, password: unknown): Promise<SessionUser | null> {
  if (typeof identifier !== 'string' || typeof password !== 'string') return null;
  const name = identifier.trim().toLowerCase();
  if (name.length === 0 || name.length > MAX_IDENTIFIER) {
    await verifyPassword(null, password);
    return null;
  }
  const user = await User.findOne({ where: { [Op.or]: [{ username: name }, { email: name }] } });
  const ok = await verifyPassword(user?.active ? user.password_hash : null, password);
  return ok && user ? toSessionUser(user) : null;
}

/** The user behind a session, re-read on every request so a deactivation or role change applies at once. */
export async function loadSessionUser(userId: unknown): Promise<SessionUser | null> {
  if (typeof userId !== 'number' || !Number.isInteger(userId)) return null;
  const user = await User.findByPk(userId);
  return user?.active ? toSessionUser(user) : null;
}

export async function recordLogin(user: SessionUser, request: RequestContext): Promise<void> {
  const actor = actorFor(user, request);
  await inTransaction(User.sequelize!, actor, async (options) => {
    // A static update leaves `version` alone: signing in must not make pending approvals of the user stale.
    await User.update({ last_login_at: new Date() }, { where: { id: user.id }, individualHooks: true, ...options });
  });
}
