import { QueryTypes, type Sequelize } from 'sequelize';
import type { AnonymousActor } from '../audit/actor.js';
import { recordEvent, recordEventIn } from '../audit/audit-event.service.js';
import { inTransaction } from '../db/unit-of-work.js';
import { keysOf, type LoginAttempt, type ThrottleKind } from './login-throttle.keys.js';
import { loginThrottlePruner } from './login-throttle.pruner.js';
import type { LoginThrottleSettings } from './login-throttle.settings.js';

export { ipSubject, loginAttempt, type LoginAttempt, type ThrottleKind } from './login-throttle.keys.js';
export { LoginThrottlePruner, loginThrottlePruner, pruneLoginThrottle } from './login-throttle.pruner.js';
export { DEFAULT_LOGIN_THROTTLE, loginThrottleSettings, type LoginThrottleSettings } from './login-throttle.settings.js';

/**
 * Sign-in throttling, kept in PostgreSQL (table login_throttle) so that every app instance on
 * the database sees the same counts and locks. Two keys per attempt: the account name as typed
 * and the client address. Too many failures on either key within the window lock that key; a
 * locked key is refused before any password is checked. Every time is the database clock's.
 *
 * The account key is the typed name whether or not a user has it, so an unknown name is
 * throttled exactly like a real one and the answers never tell which accounts exist. The keys of
 * an attempt are login-throttle.keys.ts's; old rows are pruned by login-throttle.pruner.ts.
 */

/** A refusal because a key is locked. */
export interface LoginLock {
  /** Which keys are locked (the person is not told which). */
  kinds: ThrottleKind[];
  /** Until the last of them opens, by the database clock, in whole seconds (at least 1). */
  retryAfterSeconds: number;
}

/** What the person reads: the same words for every account name, existing or not. */
export function lockMessage(lock: LoginLock): string {
  const minutes = Math.max(1, Math.ceil(lock.retryAfterSeconds / 60));
  // No apostrophes: AdminJS's login page embeds the message in a single-quoted script string.
  return `Too many failed sign-in attempts. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} and try again.`;
}

function anonymousActor(attempt: LoginAttempt): AnonymousActor {
  return {
    kind: 'anonymous',
    username: attempt.typed || '(empty)',
    ip: attempt.request.ip,
    userAgent: attempt.request.userAgent,
    requestId: attempt.request.requestId,
  };
}

interface LockRow {
  kind: ThrottleKind;
  failures: number;
  locked_until: Date;
  retry_after_seconds: number;
}

function asLock(rows: LockRow[]): LoginLock | null {
  if (rows.length === 0) return null;
  return { kinds: rows.map((r) => r.kind), retryAfterSeconds: Math.max(1, ...rows.map((r) => Number(r.retry_after_seconds))) };
}

/**
 * Before any password is checked: is the account name or the address locked? A locked attempt
 * is recorded in the audit trail (login_refused_locked) and must be refused as it is.
 */
export async function checkLoginThrottle(sequelize: Sequelize, attempt: LoginAttempt): Promise<LoginLock | null> {
  const rows = await sequelize.query<LockRow>(
    `SELECT kind, failures, locked_until, ceil(extract(epoch FROM locked_until - now()))::integer AS retry_after_seconds
       FROM login_throttle
      WHERE ((kind = 'account' AND subject = :account) OR (kind = 'ip' AND subject = :ip))
        AND locked_until > now()
      ORDER BY kind`,
    { replacements: { account: attempt.account, ip: attempt.ip }, type: QueryTypes.SELECT },
  );
  const lock = asLock(rows);
  if (lock) {
    await recordEvent(sequelize, anonymousActor(attempt), {
      action: 'login_refused_locked',
      details: {
        locked: rows.map((r) => ({ key: r.kind, failures: r.failures, until: r.locked_until.toISOString() })),
        retry_after_seconds: lock.retryAfterSeconds,
      },
    });
  }
  return lock;
}

interface FailureRow extends LockRow {
  window_started_at: Date;
  lock_started: boolean;
  locked: boolean;
}

/**
 * Counts a failed sign-in against the account name and the address, in one statement: each row
 * is inserted or updated under its row lock, so failures on any number of instances at once
 * are each counted. A window that has passed, or a lock that has expired, starts the count
 * again at 1. The failure that reaches a limit starts the lock; that is audited (login_locked)
 * in the same transaction. Returns the lock when the attempt's keys are now locked.
 *
 * `userId` (the account behind the name, when there is one) goes only into the audit trail.
 */
export async function recordLoginFailure(
  sequelize: Sequelize,
  attempt: LoginAttempt,
  settings: LoginThrottleSettings,
  userId?: number,
): Promise<LoginLock | null> {
  const keys = keysOf(attempt);
  if (keys.length === 0) return null;
  const values = keys.map((_, i) => `(:kind${i}, :subject${i})`).join(', ');
  const replacements: Record<string, unknown> = {
    maxAccount: settings.maxFailuresPerAccount,
    maxIp: settings.maxFailuresPerIp,
    windowMinutes: settings.failureWindowMinutes,
    lockoutMinutes: settings.lockoutMinutes,
  };
  keys.forEach((key, i) => {
    replacements[`kind${i}`] = key.kind;
    replacements[`subject${i}`] = key.subject;
  });
  // A row starts over when its lock has expired, or when it is unlocked and its window has passed.
  const fresh = `CASE WHEN t.locked_until IS NOT NULL THEN t.locked_until <= now()
                      ELSE t.window_started_at <= now() - make_interval(mins => :windowMinutes) END`;
  const failures = `CASE WHEN ${fresh} THEN 1 ELSE t.failures + 1 END`;
  // now() is when the transaction began: one that began earlier may get the row after one that
  // began later. A counted failure is never dated before the row's latest failure or window start.
  const at = `CASE WHEN ${fresh} THEN now() ELSE greatest(now(), t.last_failure_at) END`;
  const limit = (kind: string) => `CASE ${kind} WHEN 'account' THEN :maxAccount ELSE :maxIp END`;
  const stillLocked = 't.locked_until > now()';
  const reachesLimit = `${failures} >= ${limit('t.kind')}`;

  const lock = await inTransaction(sequelize, anonymousActor(attempt), async ({ transaction }) => {
    const rows = await sequelize.query<FailureRow>(
      `INSERT INTO login_throttle AS t (kind, subject, failures, window_started_at, last_failure_at, locked_until, locked_after)
       SELECT k.kind, k.subject, 1, now(), now(),
              CASE WHEN 1 >= ${limit('k.kind')} THEN now() + make_interval(mins => :lockoutMinutes) END,
              CASE WHEN 1 >= ${limit('k.kind')} THEN 1 END
         FROM (VALUES ${values}) AS k (kind, subject)
       ON CONFLICT (kind, subject) DO UPDATE SET
         failures = ${failures},
         window_started_at = CASE WHEN ${fresh} THEN now() ELSE t.window_started_at END,
         last_failure_at = ${at},
         -- A failure that raced a lock (its check passed just before) is counted, not lengthening it.
         locked_until = CASE WHEN ${stillLocked} THEN t.locked_until
                             WHEN ${reachesLimit} THEN ${at} + make_interval(mins => :lockoutMinutes) END,
         locked_after = CASE WHEN ${stillLocked} THEN t.locked_after
                             WHEN ${reachesLimit} THEN ${failures} END
       RETURNING kind, failures, window_started_at, locked_until,
                 coalesce(locked_until > now(), false) AS locked,
                 coalesce(locked_until > now() AND failures = locked_after, false) AS lock_started,
                 ceil(extract(epoch FROM locked_until - now()))::integer AS retry_after_seconds`,
      { replacements, type: QueryTypes.SELECT, transaction },
    );
    for (const row of rows.filter((r) => r.lock_started)) {
      await recordEventIn(sequelize, transaction, {
        action: 'login_locked',
        table: row.kind === 'account' && userId ? 'users' : undefined,
        record: row.kind === 'account' ? userId : undefined,
        details: {
          key: row.kind,
          subject: row.kind === 'account' ? attempt.account : attempt.ip,
          failures: row.failures,
          window_started_at: row.window_started_at.toISOString(),
          until: row.locked_until.toISOString(),
          window_minutes: settings.failureWindowMinutes,
          lockout_minutes: settings.lockoutMinutes,
        },
      });
    }
    return asLock(rows.filter((r) => r.locked));
  });
  await loginThrottlePruner(sequelize).pruneWhenDue(settings);
  return lock;
}

/**
 * A successful sign-in clears the count of the name it used. The address keeps its count: one
 * account someone can sign in to must not reset the guessing of others from the same place.
 */
export async function clearAccountFailures(sequelize: Sequelize, attempt: LoginAttempt): Promise<void> {
  if (!attempt.account) return;
  await sequelize.query(`DELETE FROM login_throttle WHERE kind = 'account' AND subject = :account`, {
    replacements: { account: attempt.account },
  });
}
