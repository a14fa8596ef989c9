import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAdmin } from '../src/admin/admin.js';
import { createAppContext } from '../src/app-context.js';
import { loadConfig } from '../src/config/config.js';
import { withDatabase } from '../src/db/database.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../seeders/demo-users.js';
import { appEnvironment, startApp, stopApps, type AppProcess } from './support/app-process.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { AUDITED_TABLES } from './support/expected.js';
import pg from 'pg';

/**
 * The whole HTTP surface, fuzzed, against the app as a shop runs it (its own process, the runtime
 * login): every route of the panel and of NEXUS, as each role and signed out, with bodies that are
 * too large, cut short, of the wrong type, with repeated, nested, prototype or malformed fields,
 * odd record ids, unknown names, other methods and slow bodies. Every answer is a 4xx with a
 * reason (or the sign-in page for someone signed out), the process never ends, nothing business
 * is written and nothing reaches the disk.
 */

/** Business data: every table the audit trail covers (its fingerprint must not move). */
const BUSINESS_TABLES = AUDITED_TABLES;
const MIB = 1024 * 1024;
const BODY_TIMEOUT_SECONDS = 1;

interface Answer {
  status: number;
  body: string;
}

interface Probe {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the headers only, with this Content-Length: the server must refuse before reading. */
  declaredLength?: number;
  /** Chunks sent with a pause between them. */
  chunks?: Array<Buffer | string>;
  pauseMs?: number;
}

let db: TestDatabase;
let app: AppProcess;
let env: ReturnType<typeof appEnvironment>;
const children: ChildProcess[] = [];
const cookies = new Map<string, string>();

function send(probe: Probe, cookie?: string): Promise<Answer> {
  const url = new URL(probe.path, app.base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(probe.headers ?? {}) };
    if (cookie) headers.cookie = cookie;
    if (probe.declaredLength !== undefined) headers['content-length'] = String(probe.declaredLength);
    else if (probe.body !== undefined) headers['content-length'] = String(Buffer.byteLength(probe.body));
    const req = http.request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: probe.method, headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer and close before a body it refused is sent: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (probe.chunks) {
      void (async () => {
        for (const chunk of probe.chunks!) {
          if (req.destroyed) return;
          req.write(chunk);
          await new Promise((r) => setTimeout(r, probe.pauseMs ?? 0));
        }
        req.end();
      })();
    } else if (probe.declaredLength !== undefined) {
      // Headers only: the body never comes.
      req.flushHeaders();
    } else {
      req.end(probe.body);
    }
  });
}

async function signIn(username: string): Promise<string> {
  const res = await fetch(`${app.base}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: username, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(302);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function fingerprint(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of BUSINESS_TABLES) {
    const { rows } = await db.query<{ n: number; md5: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${table} t`,
    );
    out[table] = `${rows[0]!.n}:${rows[0]!.md5}`;
  }
  return out;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(`${full} ${fs.statSync(full).size}`);
  }
  return out.sort();
}

function multipart(boundary: string, parts: Array<{ name: string; value: string | Buffer; filename?: string }>, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`),
    );
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_TYPE = { 'content-type': 'application/json' };
const BOUNDARY = 'nexusfuzzboundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

/** Malformed bodies for a POST route, with the status the gate answers (whoever asks). */
const BODY_CASES: Array<{ name: string; status: number; probe: (path: string) => Probe }> = [
  { name: 'urlencoded over 1 MiB (declared)', status: 413, probe: (p) => ({ method: 'POST', path: p, headers: FORM, declaredLength: MIB + 1 }) },
  { name: 'JSON over 1 MiB (declared)', status: 413, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, declaredLength: 8 * MIB }) },
  { name: 'multipart over 1 MiB (declared)', status: 413, probe: (p) => ({ method: 'POST', path: p, headers: MULTIPART, declaredLength: 2 * MIB }) },
  {
    name: 'a multipart file part',
    status: 400,
    probe: (p) => ({
      method: 'POST',
      path: p,
      headers: MULTIPART,
      body: multipart(BOUNDARY, [
        { name: 'name', value: 'x' },
        { name: 'f', value: 'file content', filename: 'f.bin' },
      ]),
    }),
  },
  {
    name: 'a truncated multipart body',
    status: 400,
    probe: (p) => ({ method: 'POST', path: p, headers: MULTIPART, body: multipart(BOUNDARY, [{ name: 'name', value: 'x' }], false).subarray(0, 40) }),
  },
  {
    name: 'a multipart body ignoring its boundary',
    status: 400,
    probe: (p) => ({ method: 'POST', path: p, headers: MULTIPART, body: multipart('otherboundary', [{ name: 'name', value: 'x' }]) }),
  },
  {
    name: 'multipart without a boundary',
    status: 400,
    probe: (p) => ({ method: 'POST', path: p, headers: { 'content-type': 'multipart/form-data' }, body: 'name=x' }),
  },
  { name: 'invalid JSON', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: '{"name": ' }) },
  { name: 'a JSON type with a urlencoded body', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: 'name=x&code=y' }) },
  { name: 'a JSON array', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: '[1, 2]' }) },
  { name: 'a JSON field holding an object', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: '{"name": {"$gt": ""}}' }) },
  { name: 'a JSON lone surrogate', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: JSON_TYPE, body: '{"name": "a\\ud800b"}' }) },
  { name: 'text/plain', status: 415, probe: (p) => ({ method: 'POST', path: p, headers: { 'content-type': 'text/plain' }, body: 'email=admin&password=x' }) },
  {
    name: 'XML',
    status: 415,
    probe: (p) => ({ method: 'POST', path: p, headers: { 'content-type': 'application/xml' }, body: '<login><email>admin</email></login>' }),
  },
  { name: 'a body without a type', status: 415, probe: (p) => ({ method: 'POST', path: p, body: 'name=x' }) },
  {
    name: 'a charset other than UTF-8',
    status: 415,
    probe: (p) => ({ method: 'POST', path: p, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }, body: 'name=x' }),
  },
  { name: 'nested field names', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: 'name[b][c]=1' }) },
  { name: 'a prototype key', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: '__proto__[role]=admin&role=viewer' }) },
  {
    name: 'a dotted prototype key',
    status: 400,
    probe: (p) => ({ method: 'POST', path: p, headers: MULTIPART, body: multipart(BOUNDARY, [{ name: 'constructor.prototype.role', value: 'admin' }]) }),
  },
  { name: 'a field given twice', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: 'name=a&name=b' }) },
  {
    name: '600 fields',
    status: 413,
    probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: Array.from({ length: 600 }, (_, i) => `f${i}=x`).join('&') }),
  },
  { name: 'invalid UTF-8 (urlencoded)', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: 'name=%FF%FEab' }) },
  {
    name: 'invalid UTF-8 (multipart)',
    status: 400,
    probe: (p) => ({
      method: 'POST',
      path: p,
      headers: MULTIPART,
      body: multipart(BOUNDARY, [{ name: 'name', value: Buffer.from([0x61, 0xc3, 0x28, 0x62]) }]),
    }),
  },
  { name: 'a NUL in a field', status: 400, probe: (p) => ({ method: 'POST', path: p, headers: FORM, body: 'email=admin%00x&password=x' }) },
];

/** Malformed addresses and methods for any route. */
const ADDRESS_CASES: Array<{ name: string; status: number; probe: (path: string) => Probe }> = [
  { name: 'a parameter given twice', status: 400, probe: (p) => ({ method: 'GET', path: `${p}?page=1&page=2` }) },
  { name: 'a nested parameter', status: 400, probe: (p) => ({ method: 'GET', path: `${p}?filters[status]=draft` }) },
  { name: 'a prototype parameter', status: 400, probe: (p) => ({ method: 'GET', path: `${p}?__proto__=x` }) },
  { name: 'an invalid UTF-8 parameter', status: 400, probe: (p) => ({ method: 'GET', path: `${p}?q=%C3%28` }) },
  { name: 'PUT', status: 405, probe: (p) => ({ method: 'PUT', path: p, headers: FORM, body: 'name=x' }) },
  { name: 'DELETE', status: 405, probe: (p) => ({ method: 'DELETE', path: p }) },
  { name: 'PATCH', status: 405, probe: (p) => ({ method: 'PATCH', path: p, headers: JSON_TYPE, body: '{}' }) },
  { name: 'OPTIONS', status: 405, probe: (p) => ({ method: 'OPTIONS', path: p }) },
  { name: 'a GET with a body', status: 400, probe: (p) => ({ method: 'GET', path: p, headers: FORM, body: 'name=x' }) },
];

const ANONYMOUS = 'anonymous';

/** The reason a refusal gives: ours ({ error }), or AdminJS's (a record's base error, a notice). */
function reasonOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: string; record?: { baseError?: { message?: string } }; notice?: { message?: string } };
    return parsed.error ?? parsed.record?.baseError?.message ?? parsed.notice?.message ?? '';
  } catch {
    return '';
  }
}

/** What someone signed out gets for a route behind the sign-in: 401 for the API, the sign-in page otherwise. */
function expectedStatus(role: string, route: string, gateStatus: number, gateAnswersFirst: boolean): number[] {
  if (gateAnswersFirst || role !== ANONYMOUS) return [gateStatus];
  return route.startsWith('/admin/api/') || route.startsWith('/admin/exports/') ? [401] : [302];
}

beforeAll(async () => {
  db = await createTestDatabase();
  env = appEnvironment(db, { LOG_LEVEL: 'error', HTTP_BODY_TIMEOUT_SECONDS: String(BODY_TIMEOUT_SECONDS) });
  app = await startApp(env.env, children);
  for (const user of DEMO_USERS) cookies.set(user.role, await signIn(user.username));
}, 120_000);

afterAll(async () => {
  await stopApps(children);
  env?.cleanup();
  if (db) {
    await db.drop();
    const admin = new pg.Client({ connectionString: withDatabase(db.url, 'postgres') });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${env.runtimeRole}`).finally(() => admin.end());
  }
});

describe('the HTTP surface under malformed input', () => {
  it('answers every malformed request with a 4xx and a reason, never ends, writes nothing and puts nothing on disk', async () => {
    const admin = createAdmin(createAppContext(loadConfig({}), { db: db.sequelize, url: db.url }));
    const ids = await db.query<{ t: string; id: string }>(
      `SELECT 'travelers' AS t, min(id)::text AS id FROM travelers UNION ALL SELECT 'customers', min(id)::text FROM customers`,
    );
    const someId = (resource: string) => ids.rows.find((r) => r.t === resource)?.id ?? '1';
    const before = await fingerprint();
    const filesBefore = filesUnder(env.tmpDir);

    // Every route the panel has, with real names, and NEXUS's own.
    const postRoutes: string[] = ['/admin/login', '/admin/logout'];
    const getRoutes: string[] = [
      '/admin',
      '/admin/login',
      '/admin/api/dashboard',
      '/admin/pages/myWork',
      '/admin/api/pages/myWork',
      '/admin/exports/audit-logs.csv',
      `/admin/travelers/${someId('travelers')}/print`,
      `/admin/api/history/travelers/${someId('travelers')}`,
      '/healthz',
    ];
    for (const resource of admin.resources) {
      const decorated = resource.decorate();
      const id = decorated.id();
      getRoutes.push(`/admin/resources/${id}`, `/admin/api/resources/${id}/search/x`);
      for (const [name, action] of Object.entries(decorated.actions)) {
        if (action.isResourceType()) {
          getRoutes.push(`/admin/api/resources/${id}/actions/${name}`);
          postRoutes.push(`/admin/api/resources/${id}/actions/${name}`);
        } else if (action.isRecordType()) {
          getRoutes.push(`/admin/api/resources/${id}/records/${someId(id)}/${name}`);
          postRoutes.push(`/admin/api/resources/${id}/records/${someId(id)}/${name}`);
        } else {
          postRoutes.push(`/admin/api/resources/${id}/bulk/${name}?recordIds=${someId(id)}`);
        }
      }
    }
    // One session per role (the demo has two administrators).
    const roles = [ANONYMOUS, ...new Set(DEMO_USERS.map((u) => u.role))];
    const failures: string[] = [];
    let sent = 0;
    const check = async (role: string, label: string, probe: Probe, allowed: number[]) => {
      const answer = await send(probe, cookies.get(role));
      sent += 1;
      if (!allowed.includes(answer.status)) failures.push(`${role} ${probe.method} ${probe.path} (${label}): ${answer.status} ${answer.body.slice(0, 160)}`);
      else if (answer.status >= 400 && probe.method !== 'HEAD' && reasonOf(answer.body).length < 8)
        failures.push(`${role} ${probe.method} ${probe.path} (${label}): ${answer.status} without a reason: ${answer.body.slice(0, 160)}`);
    };

    // Each (route, case) pair is tried by one role in turn, so that every role meets every case.
    let turn = 0;
    for (const route of postRoutes) {
      for (const c of BODY_CASES) {
        const role = roles[turn++ % roles.length]!;
        await check(role, c.name, c.probe(route), [c.status]);
      }
    }
    for (const route of getRoutes) {
      for (const c of ADDRESS_CASES) {
        const role = roles[turn++ % roles.length]!;
        await check(role, c.name, c.probe(route), expectedStatus(role, route, c.status, true));
      }
    }

    // Names and ids that do not exist, or are written oddly: a 404 or 400 naming them.
    const oddIds = ['2147483648', '1e0', '0x6', '-1', '0', '01', 'abc', '1.5', '99999999', '%E2%80%8B1'];
    const oddNames = ['nope', '__proto__', 'CUSTOMERS', 'constructor', 'toString', 'hasOwnProperty'];
    for (const role of [ANONYMOUS, 'admin', 'viewer', 'operator']) {
      const expect4xx = (route: string) => expectedStatus(role, route, 404, false);
      for (const name of oddNames) {
        for (const route of [
          `/admin/api/resources/${name}/actions/list`,
          `/admin/api/resources/customers/actions/${name}`,
          `/admin/api/resources/customers/records/1/${name}`,
          `/admin/api/pages/${name}`,
          `/admin/api/resources/customers/bulk/${name}?recordIds=1`,
        ]) {
          await check(role, 'unknown name', { method: 'GET', path: route }, expect4xx(route));
        }
      }
      for (const id of oddIds) {
        for (const action of ['show', 'edit', 'delete', 'history']) {
          const route = `/admin/api/resources/customers/records/${id}/${action}`;
          await check(role, 'odd record id', { method: 'GET', path: route }, expect4xx(route));
        }
      }
      const customer = someId('customers');
      for (const recordIds of [`${customer},abc`, `${customer},${customer}`, '', `${customer},2147483648`]) {
        const route = `/admin/api/resources/customers/bulk/bulkDelete?recordIds=${recordIds}`;
        await check(role, 'odd recordIds', { method: 'POST', path: route }, expectedStatus(role, route, 400, false));
      }
      // A NUL anywhere in the address is refused before any route.
      await check(role, 'NUL in the address', { method: 'GET', path: `/admin/api/resources/customers/records/1%00/show` }, [400]);
      const twice = `/admin/api/resources/customers/bulk/bulkDelete?recordIds=${customer}&recordIds=${customer}`;
      await check(role, 'recordIds twice', { method: 'POST', path: twice }, [400]);
      const newByGet = '/admin/api/resources/customers/actions/new';
      await check(role, 'new by GET', { method: 'GET', path: newByGet }, expectedStatus(role, newByGet, 405, false));
    }

    // A cross-site HEAD of a delete reads as a GET, and deletes nothing.
    for (const role of cookies.keys()) {
      for (const action of ['delete', 'edit']) {
        await check(
          role,
          'cross-site HEAD',
          {
            method: 'HEAD',
            path: `/admin/api/resources/customers/records/${someId('customers')}/${action}`,
            headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
          },
          [200, 403],
        );
      }
      await check(
        role,
        'cross-site HEAD bulk',
        {
          method: 'HEAD',
          path: `/admin/api/resources/customers/bulk/bulkDelete?recordIds=${someId('customers')}`,
          headers: { 'sec-fetch-site': 'cross-site' },
        },
        [200, 403],
      );
    }

    // Bodies that arrive slowly: in time they are read, too late they are refused (408).
    const slowOk = await send({ method: 'POST', path: '/admin/login', headers: FORM, chunks: ['email=nobody', '&password=', 'wrong'], pauseMs: 100 });
    expect([401, 429]).toContain(slowOk.status);
    const stalled = await send({
      method: 'POST',
      path: '/admin/login',
      headers: { ...FORM, 'content-length': '100' },
      chunks: ['email=nob'],
      pauseMs: (BODY_TIMEOUT_SECONDS + 1) * 1000,
    });
    expect(stalled.status).toBe(408);
    // A body over the limit that does not say its length is cut off as it arrives.
    const chunked = await send(
      {
        method: 'POST',
        path: '/admin/api/resources/customers/actions/new',
        headers: { ...FORM, 'transfer-encoding': 'chunked' },
        chunks: Array.from({ length: 40 }, () => `name=${'x'.repeat(64 * 1024)}&`),
      },
      cookies.get('admin'),
    );
    expect(chunked.status).toBe(413);

    expect(sent).toBeGreaterThan(2000);
    expect(failures).toEqual([]);
    // Never ended, still answering, and nothing logged as a server error or a crash.
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.base}/healthz`)).status).toBe(200);
    expect(
      app.output
        .join('')
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line)),
    ).toEqual([]);
    // Nothing written, nothing on disk.
    expect(await fingerprint()).toEqual(before);
    expect(filesUnder(env.tmpDir)).toEqual(filesBefore);
  }, 300_000);
});
