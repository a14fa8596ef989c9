import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * The HTTP side of hardening, over real HTTP: the content security policy the panel runs under,
 * cross-site request refusal, and the session cookie's lifetime rules.
 */
let t: TestApp;
let floor: Floor;

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
});
afterAll(async () => {
  await t.close();
});

const HOST = 'nexus.test';
const SITE = `http://${HOST}`;

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('nexus.sid='));
}

async function signedIn(role: 'engineer' | 'admin'): Promise<string> {
  const res = await supertest(t.app)
    .post('/admin/login')
    .set('Host', HOST)
    .set('Origin', SITE)
    .type('form')
    .send({ email: t.users[role].username, password: TEST_PASSWORD });
  expect(res.status).toBe(302);
  return sessionCookie(res)!.split(';')[0]!;
}

async function travelerVersion(id: number): Promise<{ id: number; version: number; notes: string | null }> {
  return (await t.db.query<{ id: number; version: number; notes: string | null }>('SELECT id, version, notes FROM travelers WHERE id = $1', [id])).rows[0]!;
}

describe('content security policy', () => {
  it('allows only the page’s own scripts: every inline script carries this response’s nonce', async () => {
    const pages = [
      await supertest(t.app).get('/admin/login'),
      await supertest(t.app)
        .get('/admin')
        .set('Cookie', await signedIn('engineer')),
    ];
    const nonces = new Set<string>();
    for (const page of pages) {
      expect(page.status).toBe(200);
      const csp = String(page.headers['content-security-policy']);
      const nonce = csp.match(/script-src 'self' 'nonce-([^']+)'/)?.[1];
      expect(nonce).toMatch(/^[A-Za-z0-9+/_=-]{16,}$/);
      nonces.add(nonce!);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      const scripts = page.text.match(/<script[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(1);
      for (const tag of scripts) expect(tag.includes(`nonce="${nonce}"`) || tag.includes(' src=')).toBe(true);
      // And nothing is loaded from another site: the panel works offline.
      expect(page.text).not.toMatch(/(?:src|href)=["']?(?:https?:)?\/\//i);
    }
    expect(nonces.size).toBe(2);
    expect(pages[0]!.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(pages[0]!.headers['referrer-policy']).toBe('same-origin');
    expect(pages[0]!.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('cross-site requests (CSRF)', () => {
  it('a form another site posts with the user’s cookie is refused and changes nothing', async () => {
    const cookie = await signedIn('engineer');
    const before = await travelerVersion(floor.draft.id);
    const attempts = [
      { Origin: 'https://evil.example' },
      { Origin: 'null' },
      { 'Sec-Fetch-Site': 'cross-site' },
      { 'Sec-Fetch-Site': 'same-site', Origin: SITE },
      { Referer: 'https://evil.example/page' },
    ];
    for (const headers of attempts) {
      const res = await supertest(t.app)
        .post(`/admin/api/resources/travelers/records/${before.id}/edit`)
        .set('Host', HOST)
        .set('Cookie', cookie)
        .set(headers)
        .field('version', String(before.version))
        .field('notes', 'Changed from another site');
      expect({ headers, status: res.status, error: res.body.error }).toEqual({ headers, status: 403, error: expect.stringMatching(/came from another site/) });
    }
    expect(await travelerVersion(floor.draft.id)).toEqual(before);

    // The same change from NEXUS's own page goes through.
    const own = await supertest(t.app)
      .post(`/admin/api/resources/travelers/records/${before.id}/edit`)
      .set('Host', HOST)
      .set('Cookie', cookie)
      .set('Origin', SITE)
      .set('Sec-Fetch-Site', 'same-origin')
      .field('version', String(before.version))
      .field('notes', 'Changed in NEXUS');
    expect(own.status).toBe(200);
    expect((await travelerVersion(floor.draft.id)).notes).toBe('Changed in NEXUS');
  });

  it('signing in from another site is refused too (login CSRF), and no session is made', async () => {
    const sessions = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;
    const before = await sessions();
    const res = await supertest(t.app)
      .post('/admin/login')
      .set('Host', HOST)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ email: t.users.admin.username, password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    expect(sessionCookie(res)).toBeUndefined();
    expect(await sessions()).toBe(before);
  });

  it('reading is never refused for its origin (links from mail and other sites work)', async () => {
    const cookie = await signedIn('engineer');
    const res = await supertest(t.app).get('/admin/api/resources/travelers/actions/list').set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).toBe(200);
  });
});

describe('session cookie and lifetime', () => {
  it('ends a session left idle past the timeout', async () => {
    const cookie = await signedIn('engineer');
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
    expect((await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(200);
    await t.db.query(`UPDATE sessions SET expire = now() - interval '1 second' WHERE sid = $1`, [sid]);
    expect((await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(401);
  });

  it('pushes the session’s expiry back at most once a minute, not with every request', async () => {
    const cookie = await signedIn('engineer');
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
    const expiry = async () => (await t.db.query<{ expire: Date }>('SELECT expire FROM sessions WHERE sid = $1', [sid])).rows[0]!.expire.getTime();
    await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie);
    const afterFirst = await expiry();
    for (let i = 0; i < 3; i += 1) expect((await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(200);
    expect(await expiry()).toBe(afterFirst);
  });

  it('ends a session older than its absolute lifetime, however active, and deletes it', async () => {
    const cookie = await signedIn('engineer');
    const sid = decodeURIComponent(cookie.split('=')[1]!).slice(2).split('.')[0]!;
    const thirteenHoursAgo = Date.now() - 13 * 3_600_000;
    await t.db.query(`UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{loginAt}', to_jsonb($2::bigint))::json WHERE sid = $1`, [sid, thirteenHoursAgo]);
    expect((await supertest(t.app).get('/admin/api/dashboard').set('Cookie', cookie)).status).toBe(401);
    expect((await t.db.query('SELECT 1 FROM sessions WHERE sid = $1', [sid])).rowCount).toBe(0);
  });
  // Last: a second app over another database re-binds the shared models (see test/support/test-app.ts).
  it('is HttpOnly, SameSite=Lax, lives as long as the idle timeout, and is Secure when the request came over TLS', async () => {
    const proxied = await createTestApp({ trustProxy: true });
    try {
      const login = (tls: boolean) => {
        let req = supertest(proxied.app).post('/admin/login').type('form');
        if (tls) req = req.set('X-Forwarded-Proto', 'https');
        return req.send({ email: proxied.users.viewer.username, password: TEST_PASSWORD });
      };
      const signInFrom = Date.now();
      const overTls = sessionCookie(await login(true))!;
      const signInTo = Date.now();
      expect(overTls).toMatch(/; HttpOnly/);
      expect(overTls).toMatch(/; SameSite=Lax/);
      expect(overTls).toMatch(/; Secure/);
      const expires = Date.parse(overTls.match(/Expires=([^;]+)/)![1]!);
      // The idle timeout (30 minutes) from the sign-in; the header gives whole seconds.
      expect(expires).toBeGreaterThanOrEqual(signInFrom - 1_000 + 30 * 60_000);
      expect(expires).toBeLessThanOrEqual(signInTo + 30 * 60_000);
      expect(sessionCookie(await login(false))!).not.toMatch(/; Secure/);
    } finally {
      await proxied.close();
    }
  });
});
