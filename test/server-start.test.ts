import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig } from '../src/config/config.js';
import { withDatabase } from '../src/db/database.js';
import { freeLocalPort } from '../src/db/embedded-postgres.js';
import { startServer } from '../src/server.js';
import { DEMO_PASSWORD } from '../seeders/demo-users.js';
import { createEmptyDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;

/** A logger that keeps its lines, to read what the start-up said. */
function recordingLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

beforeAll(async () => {
  db = await createEmptyDatabase();
  await db.sequelize.close();
});
afterAll(async () => {
  await db.drop();
});

describe('starting NEXUS against DATABASE_URL', () => {
  it('migrates an empty database, seeds it once, serves the panel, and a restart keeps the data and sessions', async () => {
    const config = loadConfig({ DATABASE_URL: db.url, PORT: String(await freeLocalPort()), SESSION_SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' });
    const log = recordingLogger();
    const first = await startServer(config, log.logger);
    // Run like this (one URL, a superuser) it works, and says loudly that it should not be run so.
    expect(log.lines.filter((l) => l.level === 40 && /DATABASE LOGIN HAS TOO MUCH POWER: .*SUPERUSER/.test(l.msg))).toHaveLength(1);
    let cookie: string;
    try {
      expect(first.url).toBe(`http://127.0.0.1:${config.PORT}/admin`);
      const base = first.url.replace(/\/admin$/, '');
      const login = await supertest(base).post('/admin/login').type('form').send({ email: 'admin', password: DEMO_PASSWORD });
      expect(login.status).toBe(302);
      cookie = ([] as string[])
        .concat(login.headers['set-cookie'] ?? [])
        .find((c) => c.startsWith('nexus.sid='))!
        .split(';')[0]!;
      expect((await supertest(base).get('/admin/api/resources/travelers/actions/list').set('Cookie', cookie)).body.meta.total).toBe(6);
    } finally {
      await first.close();
    }

    const travelersBefore = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM travelers')).rows[0]!.n;
    const second = await startServer(config, pino({ level: 'silent' }));
    try {
      const base = second.url.replace(/\/admin$/, '');
      const again = await supertest(base).get('/admin/api/dashboard').set('Cookie', cookie);
      expect(again.status).toBe(200);
      expect(again.body.travelersByStatus).toHaveLength(6);
      const migrations = await db.query('SELECT name FROM schema_migrations');
      const seeds = await db.query('SELECT name FROM schema_seeds');
      expect(migrations.rowCount).toBeGreaterThan(0);
      expect(seeds.rows).toEqual([{ name: '20261126000100-demo-data.seeder' }]);
    } finally {
      await second.close();
    }
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM travelers')).rows[0]!.n).toBe(travelersBefore);
  }, 90_000);
});

describe('least privilege at run time', () => {
  it('migrates as the owner, then serves as a runtime login that cannot change the schema or the audit trail', async () => {
    const fresh = await createEmptyDatabase();
    await fresh.sequelize.close();
    // A role of its own: roles are cluster-wide and other test files share the cluster.
    const role = `nexus_rt_${crypto.randomBytes(4).toString('hex')}`;
    const runtimeUrl = new URL(fresh.url);
    runtimeUrl.username = role;
    runtimeUrl.password = crypto.randomBytes(12).toString('hex');
    const config = loadConfig({
      DATABASE_OWNER_URL: fresh.url,
      DATABASE_URL: runtimeUrl.toString(),
      PORT: String(await freeLocalPort()),
      SESSION_SECRET: 's'.repeat(40),
    });
    const log = recordingLogger();
    const running = await startServer(config, log.logger);
    try {
      expect(log.lines.filter((l) => l.level >= 40)).toEqual([]);
      const [me] = (await running.sequelize.query(
        'SELECT current_user AS user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser',
      )) as [Array<{ user: string; superuser: boolean }>, unknown];
      expect(me[0]).toEqual({ user: role, superuser: false });

      // What the runtime login may not do, on its own connection: 42501 every time.
      const client = new pg.Client({ connectionString: runtimeUrl.toString() });
      await client.connect();
      try {
        await client.query(`SELECT set_config('nexus.actor', '{"kind":"system","name":"test","requestId":"t"}', false)`);
        for (const sql of [
          'CREATE TABLE sneaky (id int)',
          'ALTER TABLE travelers DISABLE TRIGGER travelers_audit',
          'DROP TRIGGER travelers_audit ON travelers',
          `UPDATE audit_logs SET new_value = 'x'`,
          'DELETE FROM audit_logs',
          'TRUNCATE audit_logs',
          `INSERT INTO audit_logs (change_id, action) VALUES (gen_random_uuid(), 'forged')`,
          'DELETE FROM audit_chain',
          'SELECT * FROM schema_migrations',
        ]) {
          expect({
            sql,
            outcome: await client.query(sql).then(
              () => 'done',
              (e: { code?: string }) => e.code,
            ),
          }).toEqual({ sql, outcome: '42501' });
        }
      } finally {
        await client.end();
      }

      // ...and the app does its work through it: sign in, read, and an audited edit.
      const base = running.url.replace(/\/admin$/, '');
      const agent = supertest.agent(base);
      expect((await agent.post('/admin/login').type('form').send({ email: 'engineer', password: DEMO_PASSWORD })).status).toBe(302);
      const id = (await fresh.query<{ id: number }>(`SELECT id FROM travelers WHERE number = 'T-26004'`)).rows[0]!.id;
      const shown = await agent.get(`/admin/api/resources/travelers/records/${id}/show`);
      const edit = await agent
        .post(`/admin/api/resources/travelers/records/${id}/edit`)
        .field('version', shown.body.record.params.version)
        .field('notes', 'Edited by the runtime login');
      expect(edit.body.notice.type).toBe('success');
      const audit = await fresh.query(
        `SELECT actor_username FROM audit_logs WHERE table_name = 'travelers' AND record_id = $1 AND field_name = 'notes' ORDER BY id DESC LIMIT 1`,
        [String(id)],
      );
      expect(audit.rows).toEqual([{ actor_username: 'engineer' }]);
    } finally {
      await running.close();
      await fresh.drop();
      // Roles belong to the server, not to the dropped database: drop it from the maintenance one.
      const server = new pg.Client({ connectionString: withDatabase(fresh.url, 'postgres') });
      await server.connect();
      await server.query(`DROP ROLE IF EXISTS ${role}`).finally(() => server.end());
    }
  }, 90_000);

  it('with no DATABASE_URL, the embedded database serves the app through its runtime login', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-embedded-runtime-'));
    fs.chmodSync(dataDir, 0o755);
    const config = loadConfig({
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(await freeLocalPort()),
      PORT: String(await freeLocalPort()),
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'silent',
    });
    const running = await startServer(config, pino({ level: 'silent' }));
    try {
      const [rows] = (await running.sequelize.query(
        'SELECT current_user AS user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser',
      )) as [Array<{ user: string; superuser: boolean }>, unknown];
      expect(rows[0]).toEqual({ user: 'nexus_runtime', superuser: false });
      expect(fs.statSync(path.join(dataDir, 'runtime.password')).mode & 0o777).toBe(0o600);
      await expect(running.sequelize.query('CREATE TABLE sneaky (id int)')).rejects.toMatchObject({ parent: { code: '42501' } });
    } finally {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('several instances starting at once', () => {
  it('migrate and seed once between them (an advisory lock), and both serve', async () => {
    const fresh = await createEmptyDatabase();
    await fresh.sequelize.close();
    const config = async () =>
      loadConfig({ DATABASE_URL: fresh.url, PORT: String(await freeLocalPort()), SESSION_SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' });
    const [a, b] = await Promise.all([startServer(await config(), pino({ level: 'silent' })), startServer(await config(), pino({ level: 'silent' }))]);
    try {
      const migrations = await fresh.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name');
      expect(migrations.rows.length).toBeGreaterThan(0);
      expect(migrations.rows.every((r) => r.n === 1)).toBe(true);
      expect((await fresh.query('SELECT count(*)::int AS n FROM travelers')).rows[0]).toEqual({ n: 6 });
      expect((await fresh.query("SELECT count(*)::int AS n FROM users WHERE username = 'admin'")).rows[0]).toEqual({ n: 1 });
      for (const running of [a, b]) {
        const base = running.url.replace(/\/admin$/, '');
        expect((await supertest(base).post('/admin/login').type('form').send({ email: 'viewer', password: DEMO_PASSWORD })).status).toBe(302);
      }
    } finally {
      await a.close();
      await b.close();
      await fresh.drop();
    }
  }, 120_000);
});
