import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig, ConfigError } from '../src/config/config.js';
import { createTravelerFromWorkOrder } from '../src/travelers/traveler-creation.service.js';
import { NumberPatterns, numberPatternProblem } from '../src/tables/record-numbers.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * New work orders and travelers are numbered by a configurable pattern when the planner leaves
 * the number empty, and a work order always starts open: in the form, in the service and in the
 * database.
 */

let t: TestApp;
let floor: Floor;
const one = async <T>(sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows[0] as T;
const yy = () => String(new Date().getUTCFullYear()).slice(-2);

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
});
afterAll(async () => {
  await t.close();
});

function ids(): { customer: number; part: number } {
  return { customer: floor.parts.manifold.customerId, part: floor.parts.manifold.id };
}

async function newWorkOrder(fields: Record<string, string>, app: Pick<TestApp, 'signIn'> = t) {
  const agent = await app.signIn('engineer');
  const { customer, part } = ids();
  let request = agent
    .post('/admin/api/resources/work_orders/actions/new')
    .field('customer_id', String(customer))
    .field('part_id', String(part))
    .field('quantity', '7');
  for (const [k, v] of Object.entries(fields)) request = request.field(k, v);
  return request;
}

describe('numbers given to new records', () => {
  it('a work order saved without a number gets the next one of the pattern, stepping over numbers typed by hand', async () => {
    const typed = await newWorkOrder({ number: `WO-${yy()}041` });
    expect(typed.body.record.errors).toEqual({});
    const res = await newWorkOrder({ number: '' });
    expect(res.body.record.errors).toEqual({});
    expect(res.body.record.params.number).toBe(`WO-${yy()}042`);
    const row = await one<{ number: string; status: string; created: number }>(
      `SELECT w.number, w.status, (SELECT count(*)::int FROM audit_logs a WHERE a.table_name = 'work_orders' AND a.record_id = w.id::text AND a.action = 'create' AND a.field_name = 'number') AS created
         FROM work_orders w WHERE w.id = $1`,
      [res.body.record.id],
    );
    // Audited like a typed number: the number is part of the create row.
    expect(row).toEqual({ number: `WO-${yy()}042`, status: 'open', created: 1 });
  });

  it('a configured pattern decides the shape; ten planners saving at once get ten different numbers', async () => {
    const jobs = await t.withSettings({ WORK_ORDER_NUMBER_PATTERN: 'JOB-{YYYY}-{SEQ:5}' });
    const results = await Promise.all(Array.from({ length: 10 }, () => newWorkOrder({}, jobs)));
    const numbers = results.map((r) => r.body.record.params.number as string).sort();
    const year = new Date().getUTCFullYear();
    expect(numbers).toEqual(Array.from({ length: 10 }, (_, i) => `JOB-${year}-${String(i + 1).padStart(5, '0')}`));
  });

  it('a traveler made from a work order takes the traveler pattern', async () => {
    const numbers = new NumberPatterns({ travelers: 'TR{YY}{MM}-{SEQ:2}' });
    const traveler = await createTravelerFromWorkOrder(t.db.sequelize, floor.workOrders.running.id, { quantity: 1 }, testActor(t.users.engineer), { numbers });
    const now = new Date();
    expect(traveler.number).toBe(`TR${yy()}${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`);
  });

  it('patterns that cannot number records are named, and the app refuses to start with one', () => {
    expect(numberPatternProblem('WO-{YY}{SEQ:3}')).toBeNull();
    expect(numberPatternProblem('WO-{YY}')).toMatch(/exactly one \{SEQ\}/);
    expect(numberPatternProblem('WO-{SEQ:3}-X')).toMatch(/must end with/);
    expect(numberPatternProblem('wo-{SEQ}')).toMatch(/capital letters/);
    expect(numberPatternProblem('WO-{DD}{SEQ}')).toMatch(/knows only/);
    expect(numberPatternProblem(`${'W'.repeat(25)}{SEQ:4}`)).toMatch(/too long/);
    expect(() => loadConfig({ WORK_ORDER_NUMBER_PATTERN: 'WO-{YY}' })).toThrow(ConfigError);
    expect(() => loadConfig({ WORK_ORDER_NUMBER_PATTERN: 'WO-{YY}' })).toThrow(/WORK_ORDER_NUMBER_PATTERN must contain exactly one/);
    expect(loadConfig({}).TRAVELER_NUMBER_PATTERN).toBe('T-{YY}{SEQ:3}');
  });
});

describe('a work order starts open', () => {
  it('the form refuses another starting status at the Status field, and nothing is written', async () => {
    const before = await one<{ orders: number; rows: number }>(
      `SELECT (SELECT count(*)::int FROM work_orders) AS orders, (SELECT count(*)::int FROM audit_logs WHERE table_name = 'work_orders') AS rows`,
    );
    for (const status of ['completed', 'in_progress', 'cancelled', 'on_hold']) {
      const res = await newWorkOrder({ number: `WO-START-${status.toUpperCase()}`, status });
      expect(res.body.record.errors.status?.message).toMatch(/starts open/);
    }
    const after = await one<{ orders: number; rows: number }>(
      `SELECT (SELECT count(*)::int FROM work_orders) AS orders, (SELECT count(*)::int FROM audit_logs WHERE table_name = 'work_orders') AS rows`,
    );
    expect(after).toEqual(before);
  });

  it('the database refuses it to raw SQL as the runtime role, and lets the status move afterwards', async () => {
    const { customer, part } = ids();
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      const role = (await client.query<{ app_role: string }>('SELECT app_role FROM nexus_roles')).rows[0]!.app_role;
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${role}`);
      await client.query(`SELECT set_config('nexus.actor', $1, true)`, [JSON.stringify({ kind: 'system', name: 'psql' })]);
      const refused = await client
        .query(`INSERT INTO work_orders (number, customer_id, part_id, quantity, status) VALUES ('WO-RAW-DONE', $1, $2, 5, 'completed')`, [customer, part])
        .then(
          () => null,
          (e: { code?: string; message: string }) => e,
        );
      expect(refused).toMatchObject({ code: 'NXT01', message: 'A new work order starts open, not completed' });
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${role}`);
      await client.query(`SELECT set_config('nexus.actor', $1, true)`, [JSON.stringify({ kind: 'system', name: 'psql' })]);
      await client.query(`INSERT INTO work_orders (number, customer_id, part_id, quantity) VALUES ('WO-RAW-OPEN', $1, $2, 5)`, [customer, part]);
      await client.query(`UPDATE work_orders SET status = 'completed' WHERE number = 'WO-RAW-OPEN'`);
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
    expect(await one(`SELECT status FROM work_orders WHERE number = 'WO-RAW-DONE'`)).toBeUndefined();
    expect(await one(`SELECT status FROM work_orders WHERE number = 'WO-RAW-OPEN'`)).toEqual({ status: 'completed' });
  });
});
