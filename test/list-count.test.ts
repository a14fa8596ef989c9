import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type TestAgent from 'supertest/lib/agent.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { statementsDuring } from './support/test-database.js';

/**
 * Large lists are not counted row by row on every page view: their totals come from table
 * statistics or a capped count, and the panel says so. Small lists and narrow filters stay exact.
 */
let t: TestApp;
let admin: TestAgent;
let floor: Floor;
// Lists of more than 100,000 rows are estimated, and filtered counts stop at 10,000: the bulk
// load is past both.
const BULK = 120_000;

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  admin = await t.signIn('admin');
  // Bulk history as a migration or import would load it: set-based, without per-row triggers.
  const client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  try {
    await client.query(`SET session_replication_role = replica`);
    await client.query(
      `INSERT INTO work_orders (number, customer_id, part_id, quantity, status)
       SELECT 'BULK-' || g, w.customer_id, w.part_id, 1 + g % 50, 'open'
         FROM generate_series(1, $1::int) g, (SELECT customer_id, part_id FROM work_orders ORDER BY id LIMIT 1) w`,
      [BULK],
    );
    await client.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, old_value, new_value, actor_kind, actor_username)
       SELECT now() - (g % 90) * interval '1 day', gen_random_uuid(), 'update', 'work_orders', (g % 1000)::text, 'notes', NULL, 'bulk ' || g, 'system', 'import'
         FROM generate_series(1, $1::int) g`,
      [BULK],
    );
    await client.query('ANALYZE work_orders');
    await client.query('ANALYZE audit_logs');
  } finally {
    await client.end();
  }
}, 120_000);

afterAll(async () => {
  await t.close();
});

/** Which indexes PostgreSQL would use for the statement, and whether it would read a whole table. */
async function planOf(sql: string): Promise<{ sql: string; indexes: string[]; readsEveryRow: boolean }> {
  const plan = JSON.stringify((await t.db.query(`EXPLAIN (FORMAT JSON) ${sql}`)).rows[0]);
  return { sql, indexes: [...plan.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]!), readsEveryRow: plan.includes('"Seq Scan"') };
}

async function exact(sql: string): Promise<number> {
  return (await t.db.query<{ n: number }>(sql)).rows[0]!.n;
}

describe('list totals', () => {
  it('an unfiltered large list is estimated from statistics, and the panel says "about"', async () => {
    const res = await admin.get('/admin/api/resources/work_orders/actions/list').query({ page: '1', perPage: '10' });
    expect(res.status).toBe(200);
    const actual = await exact('SELECT count(*)::int AS n FROM work_orders');
    expect(res.body.meta.total).toBeGreaterThanOrEqual(100_000);
    // Statistics are close, not exact: within a few percent of the real count.
    expect(Math.abs(res.body.meta.total - actual) / actual).toBeLessThan(0.05);
    expect(res.body.notice).toMatchObject({
      type: 'info',
      message: expect.stringMatching(/^About [\d,]+ work orders: counted from the database's statistics/),
    });
    expect(res.body.records).toHaveLength(10);
  });

  it('a filter matching more than the cap says "more than"; a narrow filter is exact and silent', async () => {
    const wide = await admin.get('/admin/api/resources/work_orders/actions/list').query({ 'filters.status': 'open' });
    expect(wide.body.meta.total).toBeGreaterThan(10_000);
    expect(wide.body.notice.message).toMatch(/^More than 10,000 work orders match/);

    // The floor's five work orders, WO-<tag>-01 to -05.
    const narrow = await admin.get('/admin/api/resources/work_orders/actions/list').query({ 'filters.number': `WO-${floor.tag}-0` });
    expect(narrow.body.meta.total).toBe(5);
    expect(narrow.body.records.map((r: { id: string }) => Number(r.id)).sort((a: number, b: number) => a - b)).toEqual(
      Object.values(floor.workOrders)
        .map((w) => w.id)
        .sort((a, b) => a - b),
    );
    expect(narrow.body.notice).toBeUndefined();
  });

  it('a small table is counted exactly, without a note', async () => {
    const res = await admin.get('/admin/api/resources/customers/actions/list');
    // The floor's three customers.
    expect(res.body.meta.total).toBe(3);
    expect(res.body.notice).toBeUndefined();
  });

  it('the audit log (partitioned) is estimated over its partitions, and exact once filtered to one record', async () => {
    const all = await admin.get('/admin/api/resources/audit_logs/actions/list');
    expect(all.status).toBe(200);
    const actual = await exact('SELECT count(*)::int AS n FROM audit_logs');
    expect(Math.abs(all.body.meta.total - actual) / actual).toBeLessThan(0.05);
    expect(all.body.notice.message).toMatch(/^About [\d,]+ audit rows/);

    const one = await admin.get('/admin/api/resources/audit_logs/actions/list').query({ 'filters.table_name': 'work_orders', 'filters.record_id': '7' });
    expect(one.body.meta.total).toBe(await exact(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'work_orders' AND record_id = '7'`));
    expect(one.body.notice).toBeUndefined();
  });

  it('a status filter matches its value exactly, served by the status index', async () => {
    const { result: res, statements } = await statementsDuring(t.appSequelize, () =>
      admin.get('/admin/api/resources/work_orders/actions/list').query({ 'filters.status': 'on_hold', perPage: '500' }),
    );
    expect(res.status).toBe(200);
    // The bulk load is all open: the floor's held work order is the one on hold.
    expect(res.body.meta.total).toBe(1);
    expect(res.body.records.map((r: { id: string; params: { status: string } }) => [Number(r.id), r.params.status])).toEqual([
      [floor.workOrders.held.id, 'on_hold'],
    ]);
    // The stock adapter sent LIKE '%on_hold%' (`_` a wildcard), which no index serves.
    const filtered = statements.filter((sql) => /FROM "work_orders"/.test(sql) && /status/.test(sql));
    expect(filtered.length).toBeGreaterThanOrEqual(2); // the capped count and the page
    for (const sql of filtered) {
      expect(sql).not.toMatch(/LIKE/);
      expect(await planOf(sql)).toMatchObject({ sql, indexes: expect.arrayContaining(['work_orders_status_due_date_idx']), readsEveryRow: false });
    }
  });

  it('a search in a number is served by its trigram index, not by reading every row', async () => {
    const { result: res, statements } = await statementsDuring(t.appSequelize, () =>
      admin.get('/admin/api/resources/work_orders/actions/list').query({ 'filters.number': 'BULK-11999' }),
    );
    expect(res.body.meta.total).toBe(await exact(`SELECT count(*)::int AS n FROM work_orders WHERE number LIKE '%BULK-11999%'`));
    const searches = statements.filter((sql) => /FROM "work_orders"/.test(sql) && /LIKE '%BULK-11999%'/.test(sql));
    expect(searches.length).toBeGreaterThanOrEqual(2);
    for (const sql of searches) {
      expect(await planOf(sql)).toMatchObject({ sql, indexes: expect.arrayContaining(['work_orders_number_trgm_idx']), readsEveryRow: false });
    }
  });

  it('pages sorted by a column with ties never repeat or skip a row', async () => {
    const page = async (n: number) =>
      (
        await admin
          .get('/admin/api/resources/work_orders/actions/list')
          .query({ 'filters.number': 'BULK-1', sortBy: 'status', direction: 'asc', page: String(n), perPage: '50' })
      ).body.records.map((r: { id: string }) => r.id);
    const seen = [...(await page(1)), ...(await page(2)), ...(await page(3))];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(150);
  });
});
