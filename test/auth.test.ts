import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import signature from 'cookie-signature';
import supertest from 'supertest';
import { ROLES } from '../src/auth/roles.js';
import { User } from '../src/models/index.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { systemActor } from '../src/audit/actor.js';
import { createTestApp, TEST_PASSWORD, TEST_SESSION_SECRET, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function sessionCookie(res: supertest.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('nexus.sid='))?.split(';')[0];
}

describe('sign-in', () => {
  it.each(ROLES)('signs in the %s user and shows them the panel', async (role) => {
    const agent = await t.signIn(role);
    const res = await agent.get('/admin/api/dashboard');
    expect(res.status).toBe(200);
    const row = await User.findByPk(t.users[role].id);
    expect(row?.last_login_at).toBeInstanceOf(Date);
  });

  it('accepts the email address instead of the user name', async () => {
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'QUALITY@test.example', password: TEST_PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/admin');
  });

  it('lands an operator on My work and every other role on the dashboard', async () => {
    const landing: Record<string, string> = {};
    for (const role of ROLES) {
      const res = await supertest(t.app).post('/admin/login').type('form').send({ email: t.users[role].username, password: TEST_PASSWORD });
      expect(res.status).toBe(302);
      landing[role] = res.headers.location!;
    }
    expect(landing).toEqual({
      admin: '/admin',
      engineer: '/admin',
      quality: '/admin',
      approver: '/admin',
      operator: '/admin/pages/myWork',
      viewer: '/admin',
    });
  });

  it('refuses a wrong password with 401 and the login page, and creates no session', async () => {
    const before = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions');
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'admin.user', password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong user name or password');
    expect(sessionCookie(res)).toBeUndefined();
    const after = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM sessions');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('refuses an unknown user name the same way', async () => {
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'nobody', password: TEST_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Wrong user name or password');
  });

  it('refuses a deactivated user even with the right password, and ends their open sessions', async () => {
    const agent = await t.signIn('viewer');
    expect((await agent.get('/admin/api/dashboard')).status).toBe(200);
    await inTransaction(t.db.sequelize, systemActor('test'), async (options) => {
      const user = await User.findByPk(t.users.viewer.id, { transaction: options.transaction });
      await user!.update({ active: false }, options);
    });
    try {
      expect((await agent.get('/admin/api/dashboard')).status).toBe(401);
      const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'viewer.user', password: TEST_PASSWORD });
      expect(res.status).toBe(401);
    } finally {
      await inTransaction(t.db.sequelize, systemActor('test'), async (options) => {
        const user = await User.findByPk(t.users.viewer.id, { transaction: options.transaction });
        await user!.update({ active: true }, options);
      });
    }
  });

  it('gives a new session id at sign-in and drops the old one (no session fixation)', async () => {
    // An attacker plants a valid session id in the victim's browser before they sign in.
    const planted = 'planted-session-id';
    const expires = new Date(Date.now() + 3_600_000);
    await t.db.query('INSERT INTO sessions (sid, sess, expire) VALUES ($1, $2, $3)', [
      planted,
      JSON.stringify({ cookie: { originalMaxAge: 3_600_000, expires: expires.toISOString(), httpOnly: true, path: '/' } }),
      expires,
    ]);
    const cookie = `nexus.sid=${encodeURIComponent(`s:${signature.sign(planted, TEST_SESSION_SECRET)}`)}`;
    const probe = await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie);
    expect(probe.status).toBe(401); // the planted session is valid but not signed in

    const res = await supertest(t.app).post('/admin/login').set('Cookie', cookie).type('form').send({ email: 'admin.user', password: TEST_PASSWORD });
    expect(res.status).toBe(302);
    const issued = sessionCookie(res);
    expect(issued).toMatch(/^nexus\.sid=s%3A/);
    expect(issued).not.toContain(planted);
    // The new id names a stored session of the user who signed in.
    const value = decodeURIComponent(issued!.slice('nexus.sid='.length));
    const sid = signature.unsign(value.slice(2), TEST_SESSION_SECRET);
    expect(typeof sid).toBe('string');
    const stored = await t.db.query<{ sess: { userId?: number } }>('SELECT sess FROM sessions WHERE sid = $1', [sid]);
    expect(stored.rows.map((r) => r.sess.userId)).toEqual([t.users.admin.id]);
    const old = await t.db.query('SELECT sid FROM sessions WHERE sid = $1', [planted]);
    expect(old.rowCount).toBe(0);
    expect((await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(401);
  });

  it('keeps sessions in PostgreSQL, so a new app instance on the same database accepts them', async () => {
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'engineer.user', password: TEST_PASSWORD });
    const cookie = sessionCookie(res)!;
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0];
    const stored = await t.db.query<{ sess: { userId: number } }>('SELECT sess FROM sessions WHERE sid = $1', [sid]);
    expect(stored.rows[0]?.sess.userId).toBe(t.users.engineer.id);

    const { createAdmin } = await import('../src/admin/admin.js');
    const { createApp } = await import('../src/http/app.js');
    const { createPgPool } = await import('../src/db/database.js');
    const pino = (await import('pino')).default;
    const pool = createPgPool(t.db.url, 2, () => undefined);
    try {
      const restarted = createApp({
        ctx: t.ctx,
        admin: createAdmin(t.ctx),
        sessionPool: pool,
        sessionSecret: TEST_SESSION_SECRET,
        secureCookies: false,
        trustProxy: false,
        idleTimeoutMinutes: 30,
        absoluteSessionHours: 12,
        logger: pino({ level: 'silent' }),
      });
      const again = await supertest(restarted).get('/admin/api/dashboard').set('Cookie', cookie);
      expect(again.status).toBe(200);
    } finally {
      await pool.end();
    }
  });

  it('sets the session cookie HttpOnly and SameSite', async () => {
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: 'operator.user', password: TEST_PASSWORD });
    const raw = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('nexus.sid='))!;
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Lax/i);
  });
});

describe('sign-out and unauthenticated access', () => {
  it('only a POST signs out: the logout address asks first, and a link from another site ends nothing', async () => {
    const agent = await t.signIn('quality');
    const asked = await agent.get('/admin/logout');
    expect(asked.status).toBe(200);
    expect(asked.text).toMatch(/<form method="post" action="\/admin\/logout">/);
    const planted = await agent.get('/admin/logout').set('Sec-Fetch-Site', 'cross-site').set('Referer', 'http://evil.example/');
    expect(planted.status).toBe(200);
    const head = await agent.head('/admin/logout').set('Sec-Fetch-Site', 'cross-site');
    expect(head.status).toBe(200);
    expect((await agent.get('/admin/api/dashboard')).status).toBe(200);
    // A cross-site POST is refused by the cross-site guard, and the session lives on.
    expect((await agent.post('/admin/logout').set('Origin', 'http://evil.example')).status).toBe(403);
    expect((await agent.get('/admin/api/dashboard')).status).toBe(200);
  });

  it('logout destroys the server-side session', async () => {
    const agent = await t.signIn('quality');
    expect((await agent.get('/admin/api/dashboard')).status).toBe(200);
    const out = await agent.post('/admin/logout');
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('/admin/login');
    expect((await agent.get('/admin/api/dashboard')).status).toBe(401);
  });

  it('answers API calls without a session with 401 and pages with a redirect to sign-in', async () => {
    const api = await supertest(t.app).get('/admin/api/resources/parts/actions/list');
    expect(api.status).toBe(401);
    expect(api.body.error).toMatch(/sign in/i);
    const page = await supertest(t.app).get('/admin/resources/parts');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/admin/login');
  });

  it('serves the sign-in page with local fonts only', async () => {
    const res = await supertest(t.app).get('/admin/login');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('fonts.googleapis.com');
    expect(res.text).toContain('/fonts/roboto/400.css');
    const css = await supertest(t.app).get('/fonts/roboto/400.css');
    expect(css.status).toBe(200);
  });
});

describe('users resource', () => {
  it('never sends the password hash, and a password set through the panel is stored as argon2id', async () => {
    const agent = await t.signIn('admin');
    const list = await agent.get('/admin/api/resources/users/actions/list');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('$argon2');
    expect(JSON.stringify(list.body)).not.toContain('password_hash');

    const form = (extra: Record<string, string>) => {
      let request = agent
        .post('/admin/api/resources/users/actions/new')
        .field('username', 'new.operator')
        .field('full_name', 'New Operator')
        .field('email', 'new.operator@test.example')
        .field('role', 'operator')
        .field('password', 'a-long-enough-secret-42');
      for (const [name, value] of Object.entries(extra)) request = request.field(name, value);
      return request;
    };
    // A hash chosen by the caller is refused, naming the field, and no user is made.
    const forged = await form({ password_hash: 'attacker-chosen-hash' });
    expect(forged.status).toBe(400);
    expect(forged.body.record.errors).toEqual({ password_hash: expect.objectContaining({ message: expect.stringMatching(/cannot be set/) }) });
    expect((await t.db.query('SELECT 1 FROM users WHERE username = $1', ['new.operator'])).rowCount).toBe(0);
    const created = await form({});
    expect(created.status).toBe(200);
    expect(created.body.record.errors).toEqual({});
    expect(JSON.stringify(created.body)).not.toContain('$argon2');
    const row = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = $1', ['new.operator']);
    expect(row.rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    const signIn = await supertest(t.app).post('/admin/login').type('form').send({ email: 'new.operator', password: 'a-long-enough-secret-42' });
    expect(signIn.status).toBe(302);
  });

  it('refuses a short password or one containing the user name, on the password field', async () => {
    const agent = await t.signIn('admin');
    for (const [password, reason] of [
      ['short', /at least 12/],
      ['weak.operator-password', /user name/],
    ] as const) {
      const res = await agent
        .post('/admin/api/resources/users/actions/new')
        .field('username', 'weak.operator')
        .field('full_name', 'Weak Operator')
        .field('email', 'weak@test.example')
        .field('role', 'operator')
        .field('password', password);
      expect(res.body.record.errors.password.message).toMatch(reason);
    }
    const row = await t.db.query('SELECT 1 FROM users WHERE username = $1', ['weak.operator']);
    expect(row.rowCount).toBe(0);
  });
});
