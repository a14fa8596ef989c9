import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Each app works by the settings of its own context, made once at its start: two apps in one
 * process, over one database, number new records and link to their pages each by its own
 * configuration. Settings kept in module globals would make the second app's win for both.
 */

let a: TestApp;
let b: Awaited<ReturnType<TestApp['withSettings']>>;
let floor: Floor;
const yy = String(new Date().getUTCFullYear()).slice(-2);
const yyyy = String(new Date().getUTCFullYear());

beforeAll(async () => {
  a = await createTestApp({ env: { APP_URL: 'https://a.nexus.example' } });
  floor = await buildFloor(a.db);
  b = await a.withSettings({
    APP_URL: 'https://b.nexus.example/plant/',
    WORK_ORDER_NUMBER_PATTERN: 'B-{YYYY}-{SEQ:4}',
    TRAVELER_NUMBER_PATTERN: 'BT{SEQ:5}',
  });
});

afterAll(async () => {
  await a.close();
});

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await a.db.query(sql, params)).rows[0] as T;
}

/** A work order saved in the app's panel without a number. */
async function newWorkOrder(app: Pick<TestApp, 'signIn'>): Promise<string> {
  const { customerId: customer, id: part } = floor.parts.manifold;
  const agent = await app.signIn('engineer');
  const res = await agent
    .post('/admin/api/resources/work_orders/actions/new')
    .field('customer_id', String(customer))
    .field('part_id', String(part))
    .field('quantity', '3');
  expect(res.body.record.errors).toEqual({});
  return res.body.record.params.number as string;
}

/** A traveler of one piece made with the app's Create traveler; its id and number. */
async function newTraveler(app: Pick<TestApp, 'signIn'>, workOrderId: number): Promise<{ id: number; number: string }> {
  const agent = await app.signIn('engineer');
  const res = await agent.post(`/admin/api/resources/work_orders/records/${workOrderId}/createTraveler`).field('quantity', '1');
  expect(res.body.travelerId).toEqual(expect.any(Number));
  return one(`SELECT id, number FROM travelers WHERE id = $1`, [res.body.travelerId]);
}

describe('two apps in one process, each with its own context', () => {
  it('number new work orders each by its own pattern, whichever saved last', async () => {
    const first = await newWorkOrder(a);
    const second = await newWorkOrder(b);
    const third = await newWorkOrder(a);
    const fourth = await newWorkOrder(b);
    expect(first).toMatch(new RegExp(`^WO-${yy}\\d{3}$`));
    expect(Number(third.slice(3))).toBe(Number(first.slice(3)) + 1);
    expect([second, fourth]).toEqual([`B-${yyyy}-0001`, `B-${yyyy}-0002`]);
  });

  it('number travelers each by its own pattern, and print each with its own address in the QR link', async () => {
    const order = await one<{ id: number; left: number }>(
      `SELECT w.id, w.quantity - coalesce((SELECT sum(quantity) FROM travelers t WHERE t.work_order_id = w.id AND t.status <> 'cancelled'), 0)::int AS left
         FROM work_orders w WHERE w.id = $1`,
      [floor.workOrders.running.id],
    );
    expect(order.left).toBeGreaterThanOrEqual(2);
    const fromB = await newTraveler(b, order.id);
    const fromA = await newTraveler(a, order.id);
    expect(fromB.number).toBe('BT00001');
    expect(fromA.number).toMatch(new RegExp(`^T-${yy}\\d{3}$`));

    const printed = async (app: Pick<TestApp, 'signIn'>, id: number) => (await (await app.signIn('viewer')).get(`/admin/travelers/${id}/print`)).text;
    expect(await printed(a, fromA.id)).toContain(`href="https://a.nexus.example/admin/resources/travelers/records/${fromA.id}/show"`);
    expect(await printed(b, fromA.id)).toContain(`href="https://b.nexus.example/plant/admin/resources/travelers/records/${fromA.id}/show"`);
    expect(await printed(a, fromA.id)).not.toContain('b.nexus.example');
  });
});
