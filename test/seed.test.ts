import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { createSeeder } from '../src/db/seeder.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../seeders/demo-users.js';
import { up as seedDemoData } from '../seeders/20261126000100-demo-data.seeder.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const TABLES = [
  'users',
  'customers',
  'work_centers',
  'parts',
  'revisions',
  'process_steps',
  'sub_steps',
  'work_orders',
  'travelers',
  'traveler_steps',
  'traveler_sub_steps',
  'manual_steps',
  'labor_entries',
  'approvals',
];

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) result[table] = (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  return result;
}

describe('demo data', () => {
  it('seeds a small shop with travelers in every state, and seeding again adds nothing', async () => {
    const executed = await createSeeder(t.db.sequelize).up();
    expect(executed.map((s) => s.name)).toEqual(['20261126000100-demo-data.seeder']);
    const first = await counts();
    for (const table of TABLES) expect({ table, rows: first[table]! > 0 }).toEqual({ table, rows: true });

    const statuses = await t.db.query<{ status: string }>('SELECT DISTINCT status FROM travelers ORDER BY status');
    expect(statuses.rows.map((r) => r.status)).toEqual(['cancelled', 'completed', 'draft', 'in_progress', 'on_hold', 'released']);
    const copied = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM traveler_steps ts JOIN process_steps ps ON ps.id = ts.process_step_id WHERE ts.operation = ps.operation`,
    );
    expect(copied.rows[0]!.n).toBe(first.traveler_steps);

    // Recorded as run: the seeder is not offered again...
    expect(await createSeeder(t.db.sequelize).pending()).toEqual([]);
    // ...and even run by hand a second time it finds every row by its natural key.
    await seedDemoData({ sequelize: t.db.sequelize });
    expect(await counts()).toEqual(first);
  });

  // A role change needs a second administrator's signature: the demo must have one to show it.
  it('has two active administrators among the printed logins', async () => {
    await createSeeder(t.db.sequelize).up();
    const printed = DEMO_USERS.filter((u) => u.role === 'admin').map((u) => u.username);
    const admins = await t.db.query<{ username: string }>(
      `SELECT username FROM users WHERE role = 'admin' AND active AND username = ANY($1) ORDER BY username`,
      [printed],
    );
    expect(admins.rows.map((a) => a.username)).toEqual(['admin', 'admin2']);
  });

  it.each(DEMO_USERS.map((u) => [u.role, u.username] as const))('the printed demo login for %s (%s) works', async (_role, username) => {
    const res = await supertest(t.app).post('/admin/login').type('form').send({ email: username, password: DEMO_PASSWORD });
    expect(res.status).toBe(302);
  });
});
