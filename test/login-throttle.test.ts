import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type express from 'express';
import pino from 'pino';
import { QueryTypes, Sequelize, ValidationError } from 'sequelize';
import supertest from 'supertest';
import { createAdmin } from '../src/admin/admin.js';
import { systemActor } from '../src/audit/actor.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  checkLoginThrottle,
  clearAccountFailures,
  ipSubject,
  lockMessage,
  LoginThrottlePruner,
  loginAttempt,
  loginThrottlePruner,
  loginThrottleSettings,
  pruneLoginThrottle,
  recordLoginFailure,
  type LoginThrottleSettings,
} from '../src/auth/login-throttle.service.js';
import { passwordProblem } from '../src/auth/password.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { createPgPool } from '../src/db/database.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { createApp } from '../src/http/app.js';
import { User } from '../src/models/index.js';
import { createTestApp, TEST_PASSWORD, TEST_SESSION_SECRET, type TestApp } from './support/test-app.js';

let t: TestApp;
const extraPools: Array<{ end(): Promise<void> }> = [];

beforeAll(async () => {
  // Behind a trusted proxy, so that X-Forwarded-For gives each test its own client address.
  t = await createTestApp({ trustProxy: true });
});
afterAll(async () => {
  await Promise.all(extraPools.map((p) => p.end()));
  await t.close();
});
beforeEach(async () => {
  await t.db.query('DELETE FROM login_throttle');
});

/** Another app instance over the same database, with its own session pool, as a second process would have. */
function anotherInstance(loginThrottle?: LoginThrottleSettings): express.Express {
  const sessionPool = createPgPool(t.db.url, 2, () => undefined);
  extraPools.push(sessionPool);
  return createApp({
    ctx: t.ctx,
    admin: createAdmin(t.ctx),
    sessionPool,
    sessionSecret: TEST_SESSION_SECRET,
    secureCookies: false,
    trustProxy: true,
    idleTimeoutMinutes: 30,
    absoluteSessionHours: 12,
    loginThrottle,
    logger: pino({ level: 'silent' }),
  });
}

const USER_AGENT = 'throttle-test/1.0';

function signIn(app: express.Express, name: string, password: string, ip: string) {
  return supertest(app).post('/admin/login').set('X-Forwarded-For', ip).set('User-Agent', USER_AGENT).type('form').send({ email: name, password });
}

function sessionCookie(res: supertest.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('nexus.sid='))?.split(';')[0];
}

const withoutNonces = (html: string) => html.replace(/ nonce="[^"]*"/g, '');

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;
}

interface ThrottleRow {
  failures: number;
  locked: boolean;
  locked_after: number | null;
  lock_minutes_left: number | null;
}

async function throttleRow(kind: 'account' | 'ip', subject: string): Promise<ThrottleRow | undefined> {
  const res = await t.db.query<ThrottleRow>(
    `SELECT failures, coalesce(locked_until > now(), false) AS locked, locked_after,
            extract(epoch FROM locked_until - now()) / 60 AS lock_minutes_left
       FROM login_throttle WHERE kind = $1 AND subject = $2`,
    [kind, subject],
  );
  return res.rows[0];
}

interface AuditRow {
  action: string;
  actor_kind: string;
  actor_username: string;
  table_name: string | null;
  record_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  details: Record<string, unknown> | null;
}

async function auditRows(where: string, params: unknown[] = []): Promise<AuditRow[]> {
  const res = await t.db.query<AuditRow>(
    `SELECT action, actor_kind, actor_username, table_name, record_id, host(ip_address) AS ip_address, user_agent, details
       FROM audit_logs WHERE ${where} ORDER BY id`,
    params,
  );
  return res.rows;
}

/** Ends the current window and lock of a key, as if their time had passed (no sleeping). */
async function letTimePass(kind: 'account' | 'ip', subject: string): Promise<void> {
  await t.db.query(
    `UPDATE login_throttle
        SET window_started_at = window_started_at - interval '1 hour', last_failure_at = last_failure_at - interval '1 hour',
            locked_until = CASE WHEN locked_until IS NOT NULL THEN now() - interval '1 second' END
      WHERE kind = $1 AND subject = $2`,
    [kind, subject],
  );
}

describe('account lock', () => {
  it('five wrong passwords lock the account: the sixth attempt, with the correct password, is refused with 429 and Retry-After', async () => {
    const ip = '198.51.100.10';
    const before = await User.findByPk(t.users.engineer.id);
    const sessionsBefore = await count('SELECT count(*)::int AS n FROM sessions');

    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await signIn(t.app, 'engineer.user', `wrong-password-${i}`, ip)).status);
    // Four plain refusals; the failure that reaches the limit is answered as the lock it started.
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(await throttleRow('account', 'engineer.user')).toMatchObject({ failures: 5, locked: true, locked_after: 5 });
    expect((await throttleRow('account', 'engineer.user'))!.lock_minutes_left).toBeGreaterThan(14.9);

    const res = await signIn(t.app, 'Engineer.User ', TEST_PASSWORD, ip); // the name as sign-in compares it
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(res.text).toContain('Too many failed sign-in attempts. Wait 15 minutes and try again.');
    // Also from another address: the account itself is locked.
    expect((await signIn(t.app, 'engineer.user', TEST_PASSWORD, '198.51.100.11')).status).toBe(429);

    // What did not happen: no session, no sign-in recorded, the refused attempts not counted as failures.
    expect(sessionCookie(res)).toBeUndefined();
    expect(await count('SELECT count(*)::int AS n FROM sessions')).toBe(sessionsBefore);
    expect((await User.findByPk(t.users.engineer.id))!.last_login_at).toEqual(before!.last_login_at);
    expect(await count(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'login' AND actor_id = $1`, [t.users.engineer.id])).toBe(0);
    expect(await throttleRow('account', 'engineer.user')).toMatchObject({ failures: 5 });
  });

  it('answers an unknown user name exactly as an existing one, so a lock reveals nothing', async () => {
    const known: supertest.Response[] = [];
    const unknown: supertest.Response[] = [];
    for (let i = 0; i < 6; i += 1) {
      known.push(await signIn(t.app, 'operator.user', i < 5 ? 'wrong-password' : TEST_PASSWORD, '198.51.100.20'));
      unknown.push(await signIn(t.app, 'no.such.user', i < 5 ? 'wrong-password' : TEST_PASSWORD, '198.51.100.21'));
    }
    expect(known.map((r) => r.status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(unknown.map((r) => r.status)).toEqual(known.map((r) => r.status));
    for (let i = 0; i < 6; i += 1) {
      // The same page, byte for byte, apart from the per-response script nonce.
      expect(withoutNonces(unknown[i]!.text)).toBe(withoutNonces(known[i]!.text));
      expect(Math.abs(Number(unknown[i]!.headers['retry-after'] ?? 0) - Number(known[i]!.headers['retry-after'] ?? 0))).toBeLessThanOrEqual(1);
    }
    expect(await throttleRow('account', 'no.such.user')).toMatchObject({ failures: 5, locked: true });
  });

  it('records the failures, the lock and every refused attempt in the audit trail, with address and user agent', async () => {
    const ip = '198.51.100.30';
    for (let i = 0; i < 5; i += 1) await signIn(t.app, 'approver.user', 'wrong-password', ip);
    await signIn(t.app, 'approver.user', TEST_PASSWORD, ip);
    await signIn(t.app, 'approver.user', 'anything-at-all', ip);

    const rows = await auditRows(`ip_address = $1`, [ip]);
    expect(rows.map((r) => r.action)).toEqual([
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_locked',
      'login_refused_locked',
      'login_refused_locked',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ actor_kind: 'anonymous', actor_username: 'approver.user', ip_address: ip, user_agent: USER_AGENT });
    }
    const locked = rows.find((r) => r.action === 'login_locked')!;
    expect(locked).toMatchObject({ table_name: 'users', record_id: String(t.users.approver.id) });
    expect(locked.details).toMatchObject({ key: 'account', subject: 'approver.user', failures: 5, window_minutes: 15, lockout_minutes: 15 });
    expect(typeof locked.details!.until).toBe('string');
    const refused = rows.filter((r) => r.action === 'login_refused_locked');
    expect(refused[0]!.details).toMatchObject({ locked: [{ key: 'account', failures: 5, until: locked.details!.until }] });
    expect(Number(refused[0]!.details!.retry_after_seconds)).toBeGreaterThan(14 * 60);
  });

  it('after the lock has expired the correct password works and clears the count of that name', async () => {
    const ip = '198.51.100.40';
    for (let i = 0; i < 5; i += 1) await signIn(t.app, 'quality.user', 'wrong-password', ip);
    expect((await signIn(t.app, 'quality.user', TEST_PASSWORD, ip)).status).toBe(429);

    await letTimePass('account', 'quality.user');
    const res = await signIn(t.app, 'quality.user', TEST_PASSWORD, ip);
    expect(res.status).toBe(302);
    expect(sessionCookie(res)).toBeDefined();
    expect(await throttleRow('account', 'quality.user')).toBeUndefined();
    // The address keeps its count: one good sign-in does not reset guessing from the same place.
    expect(await throttleRow('ip', ip)).toMatchObject({ failures: 5, locked: false });
    expect((await User.findByPk(t.users.quality.id))!.last_login_at).toBeInstanceOf(Date);
  });

  it('starts counting again at 1 when the window or an expired lock has passed, not locking on the next failure', async () => {
    const ip = '198.51.100.50';
    for (let i = 0; i < 4; i += 1) await signIn(t.app, 'viewer.user', 'wrong-password', ip);
    await letTimePass('account', 'viewer.user');
    expect((await signIn(t.app, 'viewer.user', 'wrong-password', ip)).status).toBe(401);
    expect(await throttleRow('account', 'viewer.user')).toMatchObject({ failures: 1, locked: false, locked_after: null });

    for (let i = 0; i < 4; i += 1) await signIn(t.app, 'viewer.user', 'wrong-password', ip);
    expect(await throttleRow('account', 'viewer.user')).toMatchObject({ failures: 5, locked: true });
    await letTimePass('account', 'viewer.user');
    expect((await signIn(t.app, 'viewer.user', 'wrong-password', ip)).status).toBe(401);
    expect(await throttleRow('account', 'viewer.user')).toMatchObject({ failures: 1, locked: false, locked_after: null });
  });
});

describe('address lock', () => {
  it('many names from one address lock the address, for every name, also with a correct password', async () => {
    const ip = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await signIn(t.app, `guess.${i}`, 'wrong-password', ip)).status);
    expect(statuses).toEqual([...Array(19).fill(401), 429]);
    expect(await throttleRow('ip', ip)).toMatchObject({ failures: 20, locked: true, locked_after: 20 });
    // No single name reached its own limit.
    expect(await count(`SELECT max(failures)::int AS n FROM login_throttle WHERE kind = 'account'`)).toBe(1);

    const refused = await signIn(t.app, 'admin.user', TEST_PASSWORD, ip);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Wait 15 minutes');
    expect(sessionCookie(refused)).toBeUndefined();
    // The account is not locked: the same person from elsewhere signs in.
    expect((await signIn(t.app, 'admin.user', TEST_PASSWORD, '203.0.113.51')).status).toBe(302);

    const locks = await auditRows(`action = 'login_locked' AND ip_address = $1`, [ip]);
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ actor_username: 'guess.19', table_name: null, details: { key: 'ip', subject: ip, failures: 20 } });
    const refusals = await auditRows(`action = 'login_refused_locked' AND ip_address = $1`, [ip]);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ actor_username: 'admin.user', details: { locked: [{ key: 'ip', failures: 20 }] } });
  });
});

describe('concurrent failures', () => {
  it('counts ten simultaneous wrong passwords exactly, through HTTP', async () => {
    const ip = '198.51.100.60';
    const responses = await Promise.all(Array.from({ length: 10 }, () => signIn(t.app, 'admin.user', 'wrong-password', ip)));
    expect(responses.filter((r) => r.status !== 401 && r.status !== 429).map((r) => r.text)).toEqual([]);

    const failed = await count(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'login_failed' AND ip_address = $1`, [ip]);
    const refusedLocked = await count(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'login_refused_locked' AND ip_address = $1`, [ip]);
    // Each attempt either had its password checked and failed (and is counted) or was refused as locked.
    expect(failed + refusedLocked).toBe(10);
    expect(failed).toBeGreaterThanOrEqual(5);
    expect(await throttleRow('account', 'admin.user')).toMatchObject({ failures: failed, locked: true, locked_after: 5 });
    expect(await throttleRow('ip', ip)).toMatchObject({ failures: failed, locked: false });
    const locks = await auditRows(`action = 'login_locked' AND ip_address = $1`, [ip]);
    expect(locks.map((l) => l.details)).toEqual([expect.objectContaining({ key: 'account', failures: 5 })]);
    expect(responses.filter((r) => r.status === 401)).toHaveLength(4);
  });

  it('counts a hundred simultaneous failures on pooled connections exactly, and starts each lock once', async () => {
    // A few rounds: transactions that begin in one order and reach a row in another are the case to catch.
    for (const round of [1, 2, 3]) {
      const ip = `198.51.100.7${round}`;
      const names = ['a', 'b', 'c', 'd'].map((letter) => `someone.${round}${letter}`);
      const attempts = names.map((name) => loginAttempt(name, { requestId: 'concurrency', ip, userAgent: USER_AGENT }));
      // Interleaved: four names from one address, 25 failures each, all at once.
      const calls = Array.from({ length: 100 }, (_, i) => recordLoginFailure(t.db.sequelize, attempts[i % 4]!, DEFAULT_LOGIN_THROTTLE));
      const locks = await Promise.all(calls);
      for (const name of names) expect(await throttleRow('account', name)).toMatchObject({ failures: 25, locked: true, locked_after: 5 });
      expect(await throttleRow('ip', ip)).toMatchObject({ failures: 100, locked: true, locked_after: 20 });
      // Only failures below both limits (at most 4 per name, and under 20 for the address) go unlocked.
      const unlocked = locks.filter((l) => l === null).length;
      expect(unlocked).toBeGreaterThanOrEqual(1);
      expect(unlocked).toBeLessThanOrEqual(4 * 4);
      const started = await auditRows(`action = 'login_locked' AND ip_address = $1`, [ip]);
      expect(started.map((r) => `${r.details!.key}:${r.details!.subject}:${r.details!.failures}`).sort()).toEqual(
        [`ip:${ip}:20`, ...names.map((n) => `account:${n}:5`)].sort(),
      );
    }
  });
});

describe('two app instances on one database', () => {
  it('share the throttle: failures split across both lock the account on both', async () => {
    const a = t.app;
    const b = anotherInstance();
    const ip = '198.51.100.80';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await signIn(i % 2 === 0 ? a : b, 'operator.user', 'wrong-password', ip)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect((await signIn(a, 'operator.user', TEST_PASSWORD, ip)).status).toBe(429);
    expect((await signIn(b, 'operator.user', TEST_PASSWORD, '198.51.100.81')).status).toBe(429);
    expect(await throttleRow('account', 'operator.user')).toMatchObject({ failures: 5, locked: true });
  });

  it('share sessions: signed in on A works on B, and signing out on B ends it on A', async () => {
    const a = t.app;
    const b = anotherInstance();
    const res = await signIn(a, 'engineer.user', TEST_PASSWORD, '198.51.100.90');
    expect(res.status).toBe(302);
    const cookie = sessionCookie(res)!;
    expect((await supertest(b).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(200);
    expect((await supertest(a).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(200);

    const out = await supertest(b).post('/admin/logout').set('Cookie', cookie);
    expect(out.status).toBe(302);
    expect((await supertest(a).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(401);
    expect((await supertest(b).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(401);
  });

  it('take their limits from the app options (configuration)', async () => {
    const strict = anotherInstance({ maxFailuresPerAccount: 2, maxFailuresPerIp: 50, failureWindowMinutes: 5, lockoutMinutes: 1 });
    const ip = '198.51.100.100';
    expect((await signIn(strict, 'strict.name', 'wrong-password', ip)).status).toBe(401);
    const locked = await signIn(strict, 'strict.name', 'wrong-password', ip);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(locked.text).toContain('Wait 1 minute and try again.');
    expect(await throttleRow('account', 'strict.name')).toMatchObject({ failures: 2, locked: true });
  });
});

describe('throttle service', () => {
  it("works with only the rights of the database's group role (least privilege)", async () => {
    const { app } = await t.db.roles();
    const privileges = await t.db.query<Record<string, boolean>>(
      `SELECT has_table_privilege($1, 'login_throttle', 'SELECT') AS "select", has_table_privilege($1, 'login_throttle', 'INSERT') AS "insert",
              has_table_privilege($1, 'login_throttle', 'UPDATE') AS "update", has_table_privilege($1, 'login_throttle', 'DELETE') AS "delete",
              has_table_privilege($1, 'login_throttle', 'TRUNCATE') AS "truncate", has_table_privilege($1, 'login_throttle', 'REFERENCES') AS "references",
              has_table_privilege($1, 'login_throttle', 'TRIGGER') AS "trigger"`,
      [app],
    );
    expect(privileges.rows[0]).toEqual({ select: true, insert: true, update: true, delete: true, truncate: false, references: false, trigger: false });

    // A connection that has only the group role's rights runs every statement of the service.
    const asApp = new Sequelize(t.db.url, { dialect: 'postgres', logging: false, pool: { max: 2 } });
    asApp.addHook('afterConnect', async (connection: unknown) => {
      await (connection as { query(sql: string): Promise<unknown> }).query(`SET ROLE ${app}`);
    });
    try {
      const attempt = loginAttempt('least.privilege', { requestId: 'role', ip: '198.51.100.110', userAgent: null });
      for (let i = 0; i < 5; i += 1) await recordLoginFailure(asApp, attempt, DEFAULT_LOGIN_THROTTLE);
      expect(await checkLoginThrottle(asApp, attempt)).toMatchObject({ kinds: ['account'] });
      await clearAccountFailures(asApp, attempt);
      await letTimePass('ip', '198.51.100.110');
      expect(await pruneLoginThrottle(asApp, DEFAULT_LOGIN_THROTTLE)).toBe(1);
      expect(await count(`SELECT count(*)::int AS n FROM login_throttle WHERE subject IN ('least.privilege', '198.51.100.110')`)).toBe(0);
      const who = await asApp.query<{ user: string }>('SELECT current_user AS user', { type: QueryTypes.SELECT });
      expect(who[0]!.user).toBe(app);
    } finally {
      await asApp.close();
    }
  });

  it('prunes only rows whose window and lock are both over', async () => {
    const keep = loginAttempt('still.counting', { requestId: 'prune', ip: null, userAgent: null });
    const locked = loginAttempt('still.locked', { requestId: 'prune', ip: null, userAgent: null });
    const stale = loginAttempt('long.ago', { requestId: 'prune', ip: null, userAgent: null });
    await recordLoginFailure(t.db.sequelize, keep, DEFAULT_LOGIN_THROTTLE);
    for (let i = 0; i < 5; i += 1) await recordLoginFailure(t.db.sequelize, locked, DEFAULT_LOGIN_THROTTLE);
    await recordLoginFailure(t.db.sequelize, stale, DEFAULT_LOGIN_THROTTLE);
    // A lock from a longer lockout setting is still running although its window is long past.
    await t.db.query(`UPDATE login_throttle SET window_started_at = now() - interval '2 hours', last_failure_at = now() - interval '2 hours',
                        locked_until = now() + interval '1 hour' WHERE subject = 'still.locked'`);
    await t.db.query(
      `UPDATE login_throttle SET window_started_at = now() - interval '2 hours', last_failure_at = now() - interval '2 hours' WHERE subject = 'long.ago'`,
    );
    expect(await pruneLoginThrottle(t.db.sequelize, DEFAULT_LOGIN_THROTTLE)).toBe(1);
    const left = await t.db.query<{ subject: string }>('SELECT subject FROM login_throttle ORDER BY subject');
    expect(left.rows.map((r) => r.subject)).toEqual(['still.counting', 'still.locked']);
  });

  it('refuses rows that break its invariants', async () => {
    await expect(
      t.db.query(`INSERT INTO login_throttle (kind, subject, failures, window_started_at, last_failure_at) VALUES ('user', 'x', 1, now(), now())`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      t.db.query(`INSERT INTO login_throttle (kind, subject, failures, window_started_at, last_failure_at) VALUES ('account', 'x', 0, now(), now())`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      t.db.query(
        `INSERT INTO login_throttle (kind, subject, failures, window_started_at, last_failure_at, locked_until) VALUES ('account', 'x', 5, now(), now(), now())`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      t.db.query(
        `INSERT INTO login_throttle (kind, subject, failures, window_started_at, last_failure_at, locked_until, locked_after) VALUES ('account', 'x', 5, now(), now(), now() + interval '1 minute', 6)`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('keys a client by its address, an IPv6 client by its /64 network', () => {
    expect(ipSubject('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(ipSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(ipSubject('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('2001:DB8:1:2::99')).toBe('2001:db8:1:2::/64');
    expect(ipSubject('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipSubject('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(ipSubject('::1')).toBe('0:0:0:0::/64');
    expect(ipSubject(null)).toBeNull();
    expect(loginAttempt('  Admin.User ', { requestId: 'x', ip: null, userAgent: null })).toMatchObject({ account: 'admin.user', typed: 'Admin.User' });
    expect(loginAttempt('', { requestId: 'x', ip: null, userAgent: null }).account).toBeNull();
    expect(loginAttempt('x'.repeat(255), { requestId: 'x', ip: null, userAgent: null }).account).toBeNull();
    expect(lockMessage({ kinds: ['ip'], retryAfterSeconds: 61 })).toBe('Too many failed sign-in attempts. Wait 2 minutes and try again.');
    expect(lockMessage({ kinds: ['account'], retryAfterSeconds: 5 })).toBe('Too many failed sign-in attempts. Wait 1 minute and try again.');
  });

  it('reads its limits from the environment, with defaults 5, 20, 15 and 15 minutes', () => {
    expect(loginThrottleSettings(loadConfig({}))).toEqual(DEFAULT_LOGIN_THROTTLE);
    expect(
      loginThrottleSettings(
        loadConfig({ LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '40', LOGIN_FAILURE_WINDOW_MINUTES: '10', LOGIN_LOCKOUT_MINUTES: '30' }),
      ),
    ).toEqual({ maxFailuresPerAccount: 3, maxFailuresPerIp: 40, failureWindowMinutes: 10, lockoutMinutes: 30 });
    expect(() => loadConfig({ LOGIN_MAX_FAILURES: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOGIN_LOCKOUT_MINUTES: 'soon' })).toThrow(/LOGIN_LOCKOUT_MINUTES/);
  });
});

describe('client addresses as keys', () => {
  // Only the address key can lock here: three failures from one network, every name different.
  const byAddress: LoginThrottleSettings = { maxFailuresPerAccount: 50, maxFailuresPerIp: 3, failureWindowMinutes: 15, lockoutMinutes: 15 };
  let name = 0;
  const attemptFrom = (ip: string) => loginAttempt(`network.${(name += 1)}`, { requestId: 'network', ip, userAgent: USER_AGENT });
  const fail = (ip: string) => recordLoginFailure(t.db.sequelize, attemptFrom(ip), byAddress);
  const check = (ip: string) => checkLoginThrottle(t.db.sequelize, attemptFrom(ip));

  it('reads every spelling of an IPv6 address (compressed, zero-padded, upper case, zone id) as its /64', () => {
    const network = '2001:db8:aa:bb::/64';
    for (const spelling of [
      '2001:db8:aa:bb::1',
      '2001:DB8:AA:BB::1',
      '2001:0db8:00aa:00bb:0000:0000:0000:0001',
      '2001:db8:aa:bb:0:0:0:1',
      '2001:db8:aa:bb::',
      '2001:db8:aa:bb:ffff:ffff:ffff:ffff',
      '2001:db8:aa:bb::1%eth0',
      '2001:db8:aa:bb::1%eth0.100',
      '2001:db8:aa:bb::192.0.2.1',
    ]) {
      expect([spelling, ipSubject(spelling)]).toEqual([spelling, network]);
    }
    expect(ipSubject('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
    expect(ipSubject('2001:db8::aa:bb:0:1')).toBe('2001:db8:0:0::/64');
    expect(ipSubject('::')).toBe('0:0:0:0::/64');
    expect(ipSubject('fe80::1%2')).toBe('fe80:0:0:0::/64');
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address, written either way', () => {
    for (const spelling of ['::ffff:192.0.2.77', '::FFFF:192.0.2.77', '::ffff:c000:24d', '0:0:0:0:0:FFFF:C000:024D', '::ffff:192.0.2.77%eth0', '192.0.2.77']) {
      expect([spelling, ipSubject(spelling)]).toEqual([spelling, '192.0.2.77']);
    }
    // The hex form once fell through to the /64 0:0:0:0::/64, which all such clients would have shared.
    expect(ipSubject('::ffff:c000:24e')).toBe('192.0.2.78');
    // IPv4-compatible (not mapped) stays IPv6.
    expect(ipSubject('::192.0.2.77')).toBe('0:0:0:0::/64');
  });

  it('keeps what is not an address as typed, and IPv4 spellings other than dotted decimal too', () => {
    for (const text of ['not-an-address', '1::2::3', '12345::1', '::ffff:256.1.1.1', '2130706433', '010.0.0.1', '0x7f.0.0.1']) {
      expect(ipSubject(text)).toBe(text);
    }
    expect(ipSubject('x'.repeat(300))).toHaveLength(254);
  });

  it('counts failures from any host of one IPv6 /64 together, and locks no other /64', async () => {
    // Differently spelt, different hosts, one network. A zoned address is counted but does not start
    // the lock: the audit trail's inet column does not take a zone.
    expect(await fail('2001:db8:aa:bb::1%eth0')).toBeNull();
    expect(await fail('2001:DB8:AA:BB:0:0:0:2')).toBeNull();
    expect(await fail('2001:0db8:00aa:00bb::3')).toMatchObject({ kinds: ['ip'] });
    expect(await throttleRow('ip', '2001:db8:aa:bb::/64')).toMatchObject({ failures: 3, locked: true, locked_after: 3 });

    expect(await check('2001:db8:aa:bb:ffff::9')).toMatchObject({ kinds: ['ip'] });
    expect(await check('2001:db8:aa:bb::')).toMatchObject({ kinds: ['ip'] });
    // The next /64, and the /64s either side by their first groups, are not locked.
    expect(await check('2001:db8:aa:bc::1')).toBeNull();
    expect(await check('2001:db8:aa:ba::1')).toBeNull();
    expect(await check('2001:db8:ab:bb::1')).toBeNull();
    expect(await count(`SELECT count(*)::int AS n FROM login_throttle WHERE kind = 'ip'`)).toBe(1);
  });

  it('counts an IPv4 client together however its address is written, and no other IPv4 client with it', async () => {
    expect(await fail('::ffff:192.0.2.77')).toBeNull();
    expect(await fail('::FFFF:C000:024D')).toBeNull();
    expect(await fail('192.0.2.77')).toMatchObject({ kinds: ['ip'] });
    expect(await throttleRow('ip', '192.0.2.77')).toMatchObject({ failures: 3, locked: true });

    expect(await check('::ffff:192.0.2.77')).toMatchObject({ kinds: ['ip'] });
    expect(await check('::ffff:192.0.2.78')).toBeNull();
    expect(await check('::ffff:c000:24e')).toBeNull();
    // Mapped IPv4 clients are not one IPv6 network.
    expect(await check('::')).toBeNull();
    expect(await throttleRow('ip', '0:0:0:0::/64')).toBeUndefined();
  });
});

describe('pruning now and then', () => {
  async function staleRow(subject: string): Promise<void> {
    await t.db.query(
      `INSERT INTO login_throttle (kind, subject, failures, window_started_at, last_failure_at)
       VALUES ('account', $1, 1, now() - interval '2 hours', now() - interval '2 hours')`,
      [subject],
    );
  }
  const subjects = async () => (await t.db.query<{ subject: string }>('SELECT subject FROM login_throttle ORDER BY subject')).rows.map((r) => r.subject);

  it('prunes at most once per period of the clock it is given', async () => {
    let now = 1_000_000;
    const pruner = new LoginThrottlePruner(t.db.sequelize, { everyMs: 60_000, now: () => now });
    await staleRow('stale.1');
    expect(await pruner.pruneWhenDue(DEFAULT_LOGIN_THROTTLE)).toBe(1);

    await staleRow('stale.2');
    now += 59_999;
    expect(await pruner.pruneWhenDue(DEFAULT_LOGIN_THROTTLE)).toBeNull();
    expect(await subjects()).toEqual(['stale.2']);

    now += 1;
    expect(await pruner.pruneWhenDue(DEFAULT_LOGIN_THROTTLE)).toBe(1);
    expect(await subjects()).toEqual([]);
  });

  it('keeps one pruner per database handle, which the first failure on that handle runs', async () => {
    const other = new Sequelize(t.db.url, { dialect: 'postgres', logging: false, pool: { max: 1 } });
    try {
      expect(loginThrottlePruner(other)).toBe(loginThrottlePruner(other));
      expect(loginThrottlePruner(other)).not.toBe(loginThrottlePruner(t.db.sequelize));

      await staleRow('stale.3');
      await recordLoginFailure(other, loginAttempt('fresh.handle', { requestId: 'prune', ip: null, userAgent: null }), DEFAULT_LOGIN_THROTTLE);
      expect(await subjects()).toEqual(['fresh.handle']);
    } finally {
      await other.close();
    }
  });
});

describe('password policy', () => {
  const ip = '192.0.2.200';

  it('wants at least 12 characters and not the user name', () => {
    expect(passwordProblem('elevenchars', 'bob')).toMatch(/at least 12 characters/);
    expect(passwordProblem('twelve-chars', 'bob')).toBeNull();
    expect(passwordProblem('my-BOB.smith-secret', 'bob.smith')).toMatch(/must not contain the user name/);
    expect(passwordProblem('x'.repeat(257), 'bob')).toMatch(/at most 256/);
  });

  it('is enforced by the user service path for a new user and for a password change', async () => {
    const create = (password: string) =>
      inTransaction(t.db.sequelize, systemActor('test:policy'), (options) =>
        User.create({ username: 'policy.user', email: 'policy@test.example', full_name: 'Policy User', role: 'viewer', password } as never, options),
      );
    for (const [password, reason] of [
      ['too-short', /at least 12/],
      ['x-policy.user-x', /user name/],
    ] as const) {
      const error = await create(password).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors.map((e) => [e.path, e.message])).toEqual([['password', expect.stringMatching(reason)]]);
    }
    expect(await count(`SELECT count(*)::int AS n FROM users WHERE username = 'policy.user'`)).toBe(0);

    const user = await create('a-good-long-password-1');
    const hashBefore = (await User.findByPk(user.id))!.password_hash;
    for (const [password, reason] of [
      ['short-one', /at least 12/],
      ['Policy.User.2026!', /user name/],
    ] as const) {
      const change = inTransaction(t.db.sequelize, systemActor('test:policy'), async (options) => {
        const row = await User.findByPk(user.id, { transaction: options.transaction });
        await row!.update({ password } as never, options);
      });
      await expect(change).rejects.toThrow(reason);
      // A static update (scripts) is held to the same rule.
      const bulk = inTransaction(t.db.sequelize, systemActor('test:policy'), (options) =>
        User.update({ password } as never, { where: { id: user.id }, ...options }),
      );
      await expect(bulk).rejects.toThrow(reason);
    }
    expect((await User.findByPk(user.id))!.password_hash).toBe(hashBefore);
    expect((await signIn(t.app, 'policy.user', 'a-good-long-password-1', ip)).status).toBe(302);
  });

  it('is enforced on the panel form that changes a password, with the message on the field', async () => {
    const agent = await t.signIn('admin');
    const id = t.users.viewer.id;
    const hashBefore = (await User.findByPk(id))!.password_hash;
    const edit = async (password: string) => {
      const shown = await agent.get(`/admin/api/resources/users/records/${id}/show`);
      return agent.post(`/admin/api/resources/users/records/${id}/edit`).field('password', password).field('version', String(shown.body.record.params.version));
    };
    for (const [password, reason] of [
      ['short', /at least 12/],
      ['my-viewer.user-pass', /user name/],
      ['VIEWER.USER-is-me', /user name/],
    ] as const) {
      const res = await edit(password);
      expect(res.body.record.errors.password.message).toMatch(reason);
    }
    expect((await User.findByPk(id))!.password_hash).toBe(hashBefore);
    expect((await signIn(t.app, 'viewer.user', TEST_PASSWORD, ip)).status).toBe(302);

    const ok = await edit('another-good-password-7');
    expect(ok.body.record.errors).toEqual({});
    expect((await User.findByPk(id))!.password_hash).not.toBe(hashBefore);
    expect((await signIn(t.app, 'viewer.user', TEST_PASSWORD, ip)).status).toBe(401);
    expect((await signIn(t.app, 'viewer.user', 'another-good-password-7', ip)).status).toBe(302);
    // Back to the shared test password for the rest of the file.
    const reset = await edit(TEST_PASSWORD);
    expect(reset.body.record.errors).toEqual({});
  });
});
