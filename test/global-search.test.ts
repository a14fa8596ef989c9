import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { statementsDuring } from './support/test-database.js';

/**
 * The top bar's one search box (GET /admin/api/search): travelers, work orders, parts, customers
 * (and users, for administrators) by number or name, grouped by kind, each hit with its page;
 * only kinds the role may read; refused with a reason when the text is too long; served by the
 * trigram indexes at a million travelers.
 */
let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role, TestAgent>;

interface Hit {
  id: number;
  title: string;
  detail: string;
  href: string;
}
interface Group {
  kind: string;
  label: string;
  hits: Hit[];
  more: boolean;
  listHref: string;
}
interface Answer {
  text: string;
  groups: Group[];
  notes: string[];
  error?: string;
}

async function search(role: Role, q: string): Promise<{ status: number; body: Answer }> {
  const res = await agents[role].get('/admin/api/search').query({ q });
  return { status: res.status, body: res.body as Answer };
}

const kinds = (answer: Answer) => answer.groups.map((g) => g.kind);
const group = (answer: Answer, kind: string) => answer.groups.find((g) => g.kind === kind);

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function deniedRows(): Promise<number> {
  return (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n;
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  for (const role of ['admin', 'engineer', 'operator', 'viewer'] as const) agents[role] = await t.signIn(role);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('finding a record by number or name', () => {
  it('finds a traveler by its full number, first, with the address of its page, whatever the case typed', async () => {
    const traveler = floor.released;
    for (const q of [traveler.number, traveler.number.toLowerCase(), `  ${traveler.number} `]) {
      const { status, body } = await search('viewer', q);
      expect(status).toBe(200);
      expect(body.groups[0]).toMatchObject({ kind: 'travelers', label: 'Travelers' });
      expect(body.groups[0]!.hits[0]).toMatchObject({
        id: traveler.id,
        title: traveler.number,
        href: `/admin/resources/travelers/records/${traveler.id}/show`,
      });
      // Told apart by part, status and due date.
      expect(body.groups[0]!.hits[0]!.detail.startsWith(`${floor.parts.shaft.number} · `)).toBe(true);
    }
  });

  it('groups hits by kind: a part by its description, a customer by its code or name, a work order by its number', async () => {
    const part = (await search('engineer', 'manifold')).body;
    expect(group(part, 'parts')!.hits.map((h) => h.title)).toEqual([floor.parts.manifold.number]);
    expect(group(part, 'customers')).toBeUndefined();

    const hydro = floor.customers.hydro;
    const customer = (await search('engineer', hydro.code)).body;
    expect(kinds(customer)).toEqual(['customers']);
    expect(group(customer, 'customers')!.hits[0]).toMatchObject({ title: 'Midwest Hydraulics LLC', detail: hydro.code });

    // An in-progress work order for the shaft, for the medical customer.
    const wo = floor.workOrders.released;
    const order = (await search('engineer', wo.number.toLowerCase())).body;
    expect(group(order, 'work_orders')!.hits[0]).toMatchObject({ id: wo.id, title: wo.number, href: `/admin/resources/work_orders/records/${wo.id}/show` });
    expect(group(order, 'work_orders')!.hits[0]!.detail).toBe(`Cascade Medical Devices · ${floor.parts.shaft.number} · in progress`);

    const nothing = (await search('engineer', 'nothing-like-this-anywhere')).body;
    expect(nothing.groups).toEqual([]);
  });

  it('shows a handful per kind and links to the list searched by the same text for the rest', async () => {
    // The floor's six travelers share their prefix; five of each kind are shown.
    const numbers = [floor.completed, floor.running, floor.released, floor.draft, floor.held, floor.cancelled].map((x) => x.number).sort();
    expect(numbers).toHaveLength(6);
    const prefix = floor.travelerPrefix;
    const travelers = group((await search('operator', prefix)).body, 'travelers')!;
    expect(travelers.hits.map((h) => h.title)).toEqual(numbers.slice(0, 5));
    expect(travelers.more).toBe(true);
    expect(travelers.listHref).toBe(`/admin/resources/travelers?filters.title=${prefix}&sortBy=title&direction=asc`);
    // The list behind the link holds every match, those shown first.
    const list = await agents.operator.get(`/admin/api${travelers.listHref.slice('/admin'.length).replace('?', '/actions/list?')}&perPage=50`);
    expect(list.status).toBe(200);
    expect(list.body.records.map((r: { title: string }) => r.title)).toEqual(numbers);
  });

  it('treats % and _ as letters, and returns titles as the text they are', async () => {
    expect((await search('admin', '%')).body.groups).toEqual([]);
    expect((await search('admin', '___')).body.groups).toEqual([]);
    await t.db.query(`INSERT INTO customers (code, name) VALUES ('XSS1', '<img src=x onerror=alert(1)> & Co')`);
    const found = group((await search('viewer', 'onerror')).body, 'customers')!;
    expect(found.hits[0]!.title).toBe('<img src=x onerror=alert(1)> & Co');
  });
});

describe('only what the role may read', () => {
  it('finds users for administrators only; no other role gets the kind, and no refusal is recorded', async () => {
    const deniedBefore = await deniedRows();
    const admin = (await search('admin', 'operator')).body;
    expect(group(admin, 'users')!.hits.map((h) => h.detail)).toContainEqual(expect.stringMatching(/^operator\.user · operator/));
    for (const role of ['engineer', 'operator', 'viewer'] as const) {
      const { status, body } = await search(role, 'operator');
      expect({ role, status, users: group(body, 'users') }).toEqual({ role, status: 200, users: undefined });
      // Nor by any other text that matches users.
      expect(kinds((await search(role, 'test.example')).body)).not.toContain('users');
    }
    expect(await deniedRows()).toBe(deniedBefore);
  });

  it('answers only signed-in people', async () => {
    const res = await supertest(t.app).get('/admin/api/search').query({ q: floor.released.number });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/sign in/i);
  });
});

describe('bounded input', () => {
  it('refuses more than 100 characters with the reason, and searches 100', async () => {
    const long = await search('viewer', 'T'.repeat(101));
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ error: expect.stringContaining('at most 100'), parameter: 'q' });
    const longest = await search('viewer', 'T'.repeat(100));
    expect(longest.status).toBe(200);
    expect(longest.body.groups).toEqual([]);
  });

  it('refuses a missing, repeated or invisible-character text, and answers an empty one with nothing', async () => {
    expect((await agents.viewer.get('/admin/api/search')).status).toBe(400);
    const repeated = await agents.viewer.get('/admin/api/search?q=a&q=b');
    expect(repeated.status).toBe(400);
    expect(repeated.body.error).toMatch(/once/);
    expect((await search('viewer', `${floor.travelerPrefix}\u000003`)).status).toBe(400);
    expect((await search('viewer', '   ')).body).toEqual({ text: '', groups: [], notes: [] });
  });
});

describe('at a million travelers', () => {
  const BULK = 150_000;

  beforeAll(async () => {
    // Bulk history as an import would load it: set-based, without per-row triggers.
    const client = new pg.Client({ connectionString: t.db.url });
    await client.connect();
    try {
      await client.query(`SET session_replication_role = replica`);
      await client.query(
        `INSERT INTO travelers (number, work_order_id, customer_id, part_id, revision_id, quantity, status, due_date)
         SELECT 'BLK-' || lpad(g::text, 7, '0'), w.work_order_id, w.customer_id, w.part_id, w.revision_id, 1, 'draft', w.due_date
           FROM generate_series(1, $1::int) g, (SELECT * FROM travelers WHERE id = $2) w`,
        [BULK, floor.released.id],
      );
      await client.query('ANALYZE travelers');
    } finally {
      await client.end();
    }
  }, 120_000);

  /** Which indexes PostgreSQL would use, and whether it would read the whole table. */
  async function planOf(sql: string) {
    const plan = JSON.stringify((await t.db.query(`EXPLAIN (FORMAT JSON) ${sql}`)).rows[0]);
    return { sql, indexes: [...plan.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]!), readsEveryRow: plan.includes('"Seq Scan"') };
  }

  it.each([
    ['a number typed in full', 'BLK-0123456', ['BLK-0123456']],
    ['a rare text', 'ZQX9', []],
    ['a text most numbers contain', 'BLK-01', ['BLK-0100000', 'BLK-0100001', 'BLK-0100002', 'BLK-0100003', 'BLK-0100004']],
    ['a long word and a short one', 'ZQX9 zz', []],
  ])('%s: found through the indexes, never by reading every traveler', async (_what, q, titles) => {
    const { result, statements } = await statementsDuring(t.appSequelize, () => search('viewer', q));
    expect(result.status).toBe(200);
    expect((group(result.body, 'travelers')?.hits ?? []).map((h) => h.title)).toEqual(titles);
    const travelerQueries = statements.filter((sql) => /FROM "travelers" AS "Traveler"/.test(sql));
    expect(travelerQueries.length).toBeGreaterThanOrEqual(1);
    for (const sql of travelerQueries) {
      expect(sql).toMatch(/LIMIT/);
      expect(await planOf(sql)).toMatchObject({ sql, readsEveryRow: false });
    }
  });

  it('does not search a large table with words too short for its index, and says so', async () => {
    const { result, statements } = await statementsDuring(t.appSequelize, () => search('viewer', '12'));
    expect(kinds(result.body)).not.toContain('travelers');
    expect(kinds(result.body)).not.toContain('work_orders');
    expect(result.body.notes).toEqual(['Type 3 characters or more to search travelers.', 'Type 3 characters or more to search work orders.']);
    expect(statements.filter((sql) => /FROM "travelers"/.test(sql))).toEqual([]);
  });
});
