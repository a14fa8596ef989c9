import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig } from '../src/config/config.js';
import { freeLocalPort } from '../src/db/embedded-postgres.js';
import { startServer } from '../src/server.js';
import { DEMO_PASSWORD } from '../seeders/demo-users.js';
import { createEmptyDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;

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
    const first = await startServer(config, pino({ level: 'silent' }));
    let cookie: string;
    try {
      expect(first.url).toBe(`http://127.0.0.1:${config.PORT}/admin`);
      const base = first.url.replace(/\/admin$/, '');
      const login = await supertest(base).post('/admin/login').type('form').send({ email: 'admin', password: DEMO_PASSWORD });
      expect(login.status).toBe(302);
      cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('nexus.sid='))!.split(';')[0]!;
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
